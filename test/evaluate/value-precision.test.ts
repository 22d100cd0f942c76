import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { formatFigure, formatShare, formatThreshold, formatValue } from '../../src/evaluate/thresholds.js';
import { parseBitrate, parseRatio, parseSeconds } from '../../src/normalize/values.js';
import { MIN, rulesFrom, sample } from '../helpers/rules.js';

/**
 * Values in alert texts with the decimals Zoom wrote them with (outside tester hT43, LOW): Zoom's
 * "12.5%" loss was shown "13%" (a percentage of 10% or more had no decimal), "27.15 kbps" as "27
 * kbps", and a threshold of 12.5% as "13%": "13% (above 13%)". A value closer to its threshold
 * than its decimals show gets more, so it never reads as equal to the threshold or past it.
 */
const percent = { unit: 'percent' } as const;
const duration = { unit: 'duration' } as const;
const bitrate = { unit: 'bitrate' } as const;

describe('values written for people', () => {
  it('a figure among many (a report table) has the fewest decimals, but a value not zero never shows as zero (hT44 F5)', () => {
    expect(formatFigure(0.125, percent)).toBe('13%');
    expect(formatFigure(0.003, percent)).toBe('0.3%');
    expect(formatFigure(0.0003, percent)).toBe('0.03%'); // was 0.0%
    expect(formatFigure(0, percent)).toBe('0.0%');
    expect(formatFigure(0.126, duration)).toBe('126 ms');
    expect(formatFigure(0.0004, duration)).toBe('0.4 ms'); // was 0 ms
  });

  it('a figure smaller than its last decimal says so, and its decimals follow its size, not its rounding (hT44b S2)', () => {
    expect(formatFigure(0.00004, percent)).toBe('<0.01%'); // was 0.0%
    expect(formatFigure(0.0000999, percent)).toBe('<0.01%');
    expect(formatFigure(0.0001, percent)).toBe('0.01%');
    expect(formatFigure(0.00049, percent)).toBe('0.05%');
    expect(formatFigure(0.0005, percent)).toBe('0.05%'); // was 0.1%, where 0.049% read 0.05%
    expect(formatFigure(0.00099, percent)).toBe('0.1%'); // 2 decimals, 0.10 written as 0.1
    expect(formatFigure(0.001, percent)).toBe('0.1%');
    expect(formatFigure(0.00004, duration)).toBe('<0.1 ms'); // was 0 ms
    expect(formatFigure(0.0005, duration)).toBe('0.5 ms'); // was 1 ms, where 0.4 ms read 0.4 ms
    expect(formatFigure(0.0015, duration)).toBe('2 ms');
    expect(formatFigure(4, bitrate)).toBe('<0.01 kbps'); // 4 bps
    expect(formatFigure(-0.3, { unit: 'dbm' })).toBe('>-1 dBm');
  });

  it("shows Zoom's values as Zoom wrote them", () => {
    expect(formatValue(parseRatio('12.5%')!, percent)).toBe('12.5%');
    expect(formatValue(parseRatio('0.3%')!, percent)).toBe('0.3%');
    expect(formatValue(parseRatio('9.25%')!, percent)).toBe('9.25%');
    expect(formatValue(parseRatio('5%')!, percent)).toBe('5.0%'); // as before, under 10%
    expect(formatValue(parseRatio('13%')!, percent)).toBe('13%');
    expect(formatValue(parseSeconds('126 ms')!, duration)).toBe('126 ms');
    expect(formatValue(parseSeconds('471 ms')!, duration)).toBe('471 ms');
    expect(formatValue(parseBitrate('23 Kbps')!, bitrate)).toBe('23 kbps');
    expect(formatValue(parseBitrate('27.15 kbps')!, bitrate)).toBe('27.15 kbps');
    expect(formatValue(parseBitrate('1055 kbps')!, bitrate)).toBe('1.055 Mbps');
    expect(formatValue(0.0035, percent)).toBe('0.35%');
    expect(formatValue(0.12345, percent)).toBe('12.35%'); // half up, of the decimal it prints as
  });

  it('shows thresholds as written and a value near one on its own side of it', () => {
    expect(formatThreshold(0.125, percent)).toBe('12.5%');
    expect(formatThreshold(0.3, duration)).toBe('300 ms');
    expect(formatThreshold(0.05, percent)).toBe('5.0%');
    expect(formatValue(0.125004, percent, 0.125)).toBe('12.5004%');
    expect(formatValue(0.124996, percent, 0.125)).toBe('12.4996%');
    expect(formatValue(0.125, percent, 0.125)).toBe('12.5%');
    expect(formatValue(0.30004, duration, 0.3)).toBe('300.04 ms');
    expect(formatShare(2 / 3)).toBe('67%');
    expect(formatShare(0.3299, 0.33)).toBe('32.99%');
  });

  it('says so in an alert summary: the value with its decimals, the threshold as written', () => {
    const rules = rulesFrom([
      {
        name: 'loss',
        metric: 'avg_loss',
        when: 'above',
        threshold: '12.5%',
        for: '2m',
        streams: ['audio_input', 'audio_output'],
        aggregate: 'avg',
        annotations: { summary: '{{value}} (above {{threshold_value}}), worst {{worst}}' },
      },
      {
        name: 'loss-5',
        metric: 'avg_loss',
        when: 'above',
        threshold: '5%',
        for: '2m',
        streams: ['audio_input'],
        annotations: { summary: '{{value}} (above {{threshold_value}})' },
      },
    ]);
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    // Zoom's "12.5%" and "12.501%": their average, 12.5005%, is above 12.5%: 2 decimals would say 12.5%.
    const streams = {
      audio_input: { avgLoss: parseRatio('12.5%')! },
      audio_output: { avgLoss: parseRatio('12.501%')! },
    };
    for (let m = 0; m < 3; m++) engine.handle({ type: 'samples', samples: [sample('ann', m, streams)] });
    const summaries = Object.fromEntries(engine.active().map((a) => [a.rule, a.annotations.summary]));
    // Old code: "13% (above 13%), worst 13%" and "13% (above 5.0%)".
    expect(summaries).toEqual({
      loss: '12.501% (above 12.5%), worst 12.501%',
      'loss-5': '12.5% (above 5.0%)',
    });
  });
});
