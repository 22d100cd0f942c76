import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseBitrate,
  parseCpuPressure,
  parseDbm,
  parseFrameRate,
  parseHeight,
  parseRatio,
  parseResolution,
  parseSeconds,
  parseTime,
  parseWidth,
  lastRefusal,
  PLAUSIBLE,
  type Refusal,
} from '../../src/normalize/values.js';

const cases: { name: string; parse: (v: unknown) => unknown; input: unknown; want: unknown }[] = [
  { name: 'latency with space', parse: parseSeconds, input: '126 ms', want: 0.126 },
  { name: 'latency without space', parse: parseSeconds, input: '0ms', want: 0 },
  { name: 'latency in seconds', parse: parseSeconds, input: '1.5 s', want: 1.5 },
  { name: 'latency bare number is ms', parse: parseSeconds, input: '40', want: 0.04 },
  { name: 'latency empty is missing', parse: parseSeconds, input: '', want: undefined },
  { name: 'latency garbage is missing', parse: parseSeconds, input: 'n/a', want: undefined },
  { name: 'latency negative is missing', parse: parseSeconds, input: '-5 ms', want: undefined },
  { name: 'latency null is missing', parse: parseSeconds, input: null, want: undefined },
  {
    name: 'bitrate that overflows in bits/s is missing',
    parse: parseBitrate,
    input: 1.797693134862316e305,
    want: undefined,
  },
  {
    name: 'latency in seconds that overflows is missing',
    parse: parseSeconds,
    input: '1e309 s',
    want: undefined,
  },
  { name: 'loss percent', parse: parseRatio, input: '0.3%', want: 0.003 },
  { name: 'loss zero', parse: parseRatio, input: '0.0%', want: 0 },
  { name: 'loss over 100 is missing', parse: parseRatio, input: '140%', want: undefined },
  { name: 'bitrate lower kbps', parse: parseBitrate, input: '27.15 kbps', want: 27150 },
  { name: 'bitrate Kbps', parse: parseBitrate, input: '23 Kbps', want: 23000 },
  { name: 'bitrate glued', parse: parseBitrate, input: '27.15kbps', want: 27150 },
  { name: 'bitrate Mbps', parse: parseBitrate, input: '1.2 Mbps', want: 1_200_000 },
  { name: 'bitrate bps', parse: parseBitrate, input: '800 bps', want: 800 },
  { name: 'bitrate empty', parse: parseBitrate, input: '', want: undefined },
  { name: 'frame rate', parse: parseFrameRate, input: '12 fps', want: 12 },
  { name: 'frame rate empty', parse: parseFrameRate, input: '', want: undefined },
  { name: 'resolution star', parse: parseResolution, input: '1280*720', want: { width: 1280, height: 720 } },
  { name: 'resolution x', parse: parseResolution, input: '1920x1080', want: { width: 1920, height: 1080 } },
  { name: 'resolution 0*0 is no picture', parse: parseResolution, input: '0*0', want: undefined },
  { name: 'resolution garbage', parse: parseResolution, input: 'HD', want: undefined },
  { name: 'rssi integer', parse: parseDbm, input: -67, want: -67 },
  { name: 'rssi string', parse: parseDbm, input: '-60 dBm', want: -60 },
  { name: 'rssi positive is missing', parse: parseDbm, input: 12, want: undefined },
  { name: 'cpu pressure word', parse: parseCpuPressure, input: 'Normal', want: 'normal' },
  { name: 'cpu pressure unknown', parse: parseCpuPressure, input: 'meh', want: undefined },
];

describe('value parsers', () => {
  it.each(cases)('$name', ({ parse, input, want }) => {
    const got = parse(input);
    if (typeof want === 'number') expect(got).toBeCloseTo(want, 12);
    else expect(got).toEqual(want);
  });
});

/** Values that are not readings, and why each reader says it refused them (outside tester, LOW #5). */
const refusals: [unknown, Refusal, (v: unknown) => unknown][] = [
  ['126 sec', 'implausible', parseSeconds],
  ['-5 ms', 'implausible', parseSeconds],
  ['61 s', 'implausible', parseSeconds],
  ['12 parsecs', 'unreadable', parseSeconds],
  ['250%', 'implausible', parseRatio],
  ['-1%', 'implausible', parseRatio],
  ['lots', 'unreadable', parseRatio],
  ['2 Gbps', 'implausible', parseBitrate],
  ['1.797693134862316e305', 'implausible', parseBitrate],
  ['12 parsecs', 'unreadable', parseBitrate],
  ['9000 fps', 'implausible', parseFrameRate],
  ['0*0', 'empty', parseResolution],
  ['20000x10', 'implausible', parseWidth],
  ['HD', 'unreadable', parseResolution],
  [12, 'implausible', parseDbm],
  ['weak', 'unreadable', parseDbm],
  [42, 'unreadable', parseCpuPressure],
];

describe('values that are not readings', () => {
  it.each(refusals)('%o is %s', (input, why, parse) => {
    parseSeconds('40 ms'); // a reading before does not hide why the next value was refused
    expect(parse(input)).toBeUndefined();
    expect(lastRefusal()).toBe(why);
  });
  it('are read up to each bound', () => {
    expect(parseSeconds('60 s')).toBe(60);
    expect(parseBitrate('1 Gbps')).toBe(1e9);
    expect(parseFrameRate('240 fps')).toBe(240);
    expect(parseResolution('16384x8640')).toEqual({ width: 16_384, height: 8640 });
  });
});

const spaces = fc.constantFrom('', ' ', '  ');
const decimal = fc
  .double({ min: 0, max: 1e5, noNaN: true, noDefaultInfinity: true })
  .map((n) => Math.round(n * 100) / 100);

describe('value parser properties', () => {
  it('reads any latency Zoom can write, in any spacing, as ms/1000', () => {
    fc.assert(
      fc.property(decimal, spaces, (ms, sp) => {
        const got = parseSeconds(`${ms}${sp}ms`);
        if (ms / 1000 <= PLAUSIBLE.seconds) expect(got).toBeCloseTo(ms / 1000, 9);
        else expect(got).toBeUndefined();
      }),
    );
  });
  it('reads bitrates in every unit case and spacing', () => {
    fc.assert(
      fc.property(decimal, spaces, fc.constantFrom('kbps', 'Kbps', 'KBPS', 'kBps'), (k, sp, unit) => {
        expect(parseBitrate(`${k}${sp}${unit}`)).toBeCloseTo(k * 1000, 6);
      }),
    );
  });
  it('reads percentages 0..100 as ratios 0..1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (p) => {
        const r = parseRatio(`${p}%`)!;
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
        expect(r).toBeCloseTo(p / 100, 9);
      }),
    );
  });
  it('reads both resolution separators the same way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8000 }), fc.integer({ min: 1, max: 8000 }), (w, h) => {
        expect(parseResolution(`${w}*${h}`)).toEqual({ width: w, height: h });
        expect(parseResolution(`${w}x${h}`)).toEqual({ width: w, height: h });
      }),
    );
  });
  it('reads a resolution as its pattern says, the width and height of texts read in any order', () => {
    // The usual spellings are read without the pattern, and the height reads what the width
    // read before it: texts in turn, each read as a whole, a width and a height.
    const pattern = /^\s*(\d+)\s*[*xX×]\s*(\d+)\s*$/;
    const digits = fc.stringMatching(/^[0-9]{1,18}$/);
    const text = fc.oneof(
      fc
        .tuple(digits, fc.constantFrom('*', 'x', 'X', '×', '-', ''), digits, fc.constantFrom('', ' ', '\t'))
        .map(([w, sep, h, sp]) => `${sp}${w}${sp}${sep}${h}`),
      fc.tuple(digits, digits).map(([w, h]) => `${w}x${h}`),
      fc.constantFrom('0x0', '640x0', '640x360', '640*360 ', 'x360', '640x', ''),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.boolean()), { minLength: 1, maxLength: 6 }), (reads) => {
        for (const [t, wideFirst] of reads) {
          const m = pattern.exec(t);
          const w = Number(m?.[1]);
          const h = Number(m?.[2]);
          const want =
            m && w !== 0 && h !== 0 && w <= PLAUSIBLE.pixels && h <= PLAUSIBLE.pixels
              ? { width: w, height: h }
              : undefined;
          const [first, second] = wideFirst ? [parseWidth, parseHeight] : [parseHeight, parseWidth];
          expect(first(t), t).toBe(want && (wideFirst ? want.width : want.height));
          expect(second(t), t).toBe(want && (wideFirst ? want.height : want.width));
          expect(parseResolution(t), t).toEqual(want);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('reads every spelling exactly as Number() reads its digits scaled to base units (to the last bit)', () => {
    // Digits with or without a fraction (up to 17 in all), any spacing, any unit case,
    // leading zeros, and things near the shape: a trailing dot, signs, exponents. The value is
    // the decimal written, scaled, rounded once: Number("471e-3"), not 471 * 1e-3 (hT43 LOW).
    const digits = fc.stringMatching(/^[0-9]{1,9}$/);
    const number = fc.oneof(
      digits,
      fc.tuple(digits, digits).map(([a, b]) => `${a}.${b}`),
      fc.tuple(digits, digits).map(([a, b]) => `${a}${b}`),
      digits.map((a) => `${a}.`),
      digits.map((a) => `+${a}`),
      digits.map((a) => `.${a}`),
      digits.map((a) => `${a}e2`),
    );
    const anyCase = (unit: string): fc.Arbitrary<string> =>
      fc
        .array(fc.boolean(), { minLength: unit.length, maxLength: unit.length })
        .map((up) => up.map((u, i) => (u ? unit[i]!.toUpperCase() : unit[i]!)).join(''));
    // Each reader, its units' powers of ten and its plausibility bound (in base units).
    const readers: [(v: unknown) => number | undefined, Record<string, number>, number][] = [
      [parseSeconds, { '': -3, ms: -3, s: 0, sec: 0, us: -6 }, PLAUSIBLE.seconds],
      [parseBitrate, { '': 3, bps: 0, kbps: 3, mbps: 6, gbps: 9 }, PLAUSIBLE.bitsPerSecond],
      [parseFrameRate, { '': 0, fps: 0 }, PLAUSIBLE.framesPerSecond],
      [parseRatio, { '': -2, '%': -2 }, 1],
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: readers.length - 1 }),
        number,
        fc.constantFrom('', ' ', '  ', '\t'),
        fc.nat(),
        fc.boolean(),
        (r, n, sp, u, cased) => {
          const [parse, units, bound] = readers[r]!;
          const names = Object.keys(units);
          const unit = names[u % names.length]!;
          const written = `${n}${sp}${cased ? fc.sample(anyCase(unit), { numRuns: 1, seed: u })[0] : unit}`;
          const [digits, exponent = '0'] = n.split('e') as [string, string?];
          const read = Number(`${digits}e${Number(exponent) + units[unit]!}`);
          const want = read <= bound ? read : undefined;
          expect(parse(written), written).toBe(want);
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('reads a date_time exactly as Date.parse does, valid or not', () => {
    const two = (max: number): fc.Arbitrary<string> =>
      fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const shaped = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(13),
        two(32),
        two(25),
        two(61),
        two(61),
      )
      .map(([y, mo, d, h, mi, sec]) => `${y}-${mo}-${d}T${h}:${mi}:${sec}Z`);
    const near = fc.oneof(
      shaped,
      shaped.map((t) => t.replace('Z', '.000Z')),
      shaped.map((t) => t.replace('Z', '+01:00')),
      shaped.map((t) => t.replace('T', ' ')),
      shaped.map((t) => t.replace('-', '/')),
      shaped.map((t) => t.slice(0, 10)),
      fc.string({ minLength: 20, maxLength: 20 }),
    );
    fc.assert(
      fc.property(near, (t) => {
        expect(parseTime(t), t).toBe(Date.parse(t));
      }),
      { numRuns: 3000 },
    );
    expect(parseTime('2026-11-20T10:29:00Z')).toBe(Date.UTC(2026, 10, 20, 10, 29));
  });
  it('never throws and never turns junk into a number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (junk) => {
        for (const parse of [parseSeconds, parseRatio, parseBitrate, parseFrameRate, parseDbm]) {
          const v = parse(junk);
          expect(v === undefined || (typeof v === 'number' && Number.isFinite(v))).toBe(true);
        }
      }),
    );
  });
  it('gives missing, never 0, for empty and blank values', () => {
    fc.assert(
      fc.property(fc.constantFrom('', ' ', '\t', 'ms', '%', 'kbps', 'fps'), (blank) => {
        for (const parse of [parseSeconds, parseRatio, parseBitrate, parseFrameRate])
          expect(parse(blank)).toBeUndefined();
      }),
    );
  });
});
