import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBitrate, parseRatio, parseSeconds, PLAUSIBLE } from '../../src/normalize/values.js';
import { parseThreshold, percentShare } from '../../src/evaluate/thresholds.js';

/**
 * Zoom's values scaled to base units as the decimal written, rounded once (outside tester hT43,
 * LOW): "471 ms" was read as 471 * 1e-3 = 0.47100000000000003 s, and /api/v1/alerts showed
 * `"value": 0.47100000000000003`; "1.1%" was 1.1 / 100 = 0.011000000000000001. The oracle
 * moves the decimal point in the text (no arithmetic on doubles): the number read is the double
 * nearest that decimal, and prints as it.
 */

/** `int.frac` times 10^shift, as a plain decimal text, by moving the point. */
function shifted(int: string, frac: string, shift: number): string {
  let digits = int + frac;
  let point = int.length + shift;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** How JavaScript prints a decimal text's number from 1e-6 up to 1e21: no leading or trailing zeros. */
function printed(decimal: string): string {
  const [i, f] = decimal.split('.') as [string, string];
  const int = i.replace(/^0+(?=\d)/, '');
  const frac = f.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** Each reader, its units as Zoom may write them, and each unit's power of ten in base units. */
const READERS: [string, (v: unknown) => number | undefined, [string, number][], number][] = [
  [
    'latency',
    parseSeconds,
    [
      ['ms', -3],
      ['MS', -3],
      ['', -3],
      ['s', 0],
      ['sec', 0],
      ['us', -6],
      ['µs', -6],
    ],
    PLAUSIBLE.seconds,
  ],
  [
    'loss',
    parseRatio,
    [
      ['%', -2],
      ['', -2],
    ],
    1,
  ],
  [
    'bitrate',
    parseBitrate,
    [
      ['kbps', 3],
      ['Kbps', 3],
      ['', 3],
      ['bps', 0],
      ['Mbps', 6],
      ['gbps', 9],
    ],
    PLAUSIBLE.bitsPerSecond,
  ],
];

const zoomDecimal = fc.tuple(fc.stringMatching(/^(0|[1-9][0-9]{0,4})$/), fc.stringMatching(/^[0-9]{0,3}$/));

describe('unit conversions, exact as the decimal written', () => {
  it("reads Zoom's examples as the nearest double, which prints as the decimal", () => {
    expect(parseSeconds('471 ms')).toBe(0.471);
    expect(JSON.stringify({ value: parseSeconds('471 ms') })).toBe('{"value":0.471}');
    expect(parseSeconds('126 ms')).toBe(0.126);
    expect(parseSeconds(471)).toBe(0.471); // a bare number, in ms
    expect(parseSeconds('+471 ms')).toBe(0.471); // the pattern's path
    expect(parseSeconds('4.71e2 ms')).toBe(0.471);
    expect(parseRatio('1.1%')).toBe(0.011);
    expect(parseRatio('12.5%')).toBe(0.125);
    expect(parseRatio('0.007%')).toBe(0.00007);
    expect(parseBitrate('27.15 kbps')).toBe(27150);
    expect(parseBitrate('23 Kbps')).toBe(23000);
  });

  it('reads every Zoom-shaped value with up to 3 decimals as its decimal scaled', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: READERS.length - 1 }),
        fc.nat(),
        zoomDecimal,
        fc.constantFrom('', ' ', '  ', '+'),
        (r, u, [int, frac], form) => {
          const [, parse, units, max] = READERS[r]!;
          const [unit, shift] = units[u % units.length]!;
          const text = frac ? `${int}.${frac}` : int;
          const spaced = form === '+' ? `+${text} ${unit}` : `${text}${form}${unit}`;
          const exact = shifted(int, frac, shift);
          const want = Number(exact);
          const got = parse(spaced);
          if (want > max || (parse === parseRatio && Number(text) > 100)) return;
          expect(got).toBe(want);
          if (want >= 1e-6) expect(String(got)).toBe(printed(exact));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads bare JSON numbers in Zoom unit the same way', () => {
    fc.assert(
      fc.property(zoomDecimal, ([int, frac]) => {
        const n = Number(frac ? `${int}.${frac}` : int);
        const [i, f = ''] = String(n).split('.') as [string, string?];
        if (n / 1000 <= PLAUSIBLE.seconds) expect(parseSeconds(n)).toBe(Number(shifted(i, f, -3)));
        if (n <= 100) expect(parseRatio(n)).toBe(Number(shifted(i, f, -2)));
      }),
    );
  });

  it('parses thresholds and shares the same way', () => {
    const latency = { unit: 'duration' as const };
    const percent = { unit: 'percent' as const };
    const bitrate = { unit: 'bitrate' as const };
    expect(parseThreshold('471ms', latency)).toEqual({ value: 0.471 });
    expect(parseThreshold('1.1%', percent)).toEqual({ value: 0.011 });
    expect(parseThreshold('12.5%', percent)).toEqual({ value: 0.125 });
    expect(parseThreshold('1.1Mbps', bitrate)).toEqual({ value: 1_100_000 });
    expect(percentShare('1.1%')).toBe(0.011);
    fc.assert(
      fc.property(zoomDecimal, ([int, frac]) => {
        const text = frac ? `${int}.${frac}` : int;
        if (Number(text) <= 60_000)
          expect(parseThreshold(`${text}ms`, latency)).toEqual({ value: Number(shifted(int, frac, -3)) });
        if (Number(text) <= 100)
          expect(parseThreshold(`${text}%`, percent)).toEqual({ value: Number(shifted(int, frac, -2)) });
      }),
    );
  });
});
