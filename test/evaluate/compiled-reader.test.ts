import { describe, expect, it } from 'vitest';
import { ColumnReader } from '../../src/evaluate/column-reader.js';
import { columnsOf } from '../../src/evaluate/columns.js';
import { compileReader } from '../../src/evaluate/compiled-reader.js';
import type { CompiledRule, RawRule } from '../../src/evaluate/rule-types.js';
import { ruleValue } from '../../src/evaluate/rule-value.js';
import type { QosSample, StreamMetrics } from '../../src/normalize/sample.js';
import { attachNumbers, numbersChunk, numbersAt, numbersOf } from '../../src/normalize/sample-numbers.js';
import { STREAMS } from '../../src/normalize/streams.js';
import { seeded } from '../helpers/storm.js';
import { rulesFrom, sample } from '../helpers/rules.js';

/*
 * The column reader is a function made for its rule set's columns (compiled-reader.ts). Each
 * column's value, worst stream and the sample's "past a first threshold" bit are compared here
 * with the sample's objects as rule-value.ts reads them (and the first stream with the worst
 * value), over random rules and samples: streams in any order, fields missing, values tied.
 */

const RULES: Partial<RawRule>[] = [
  { metric: 'latency', when: 'above', threshold: '300ms' },
  { metric: 'jitter', when: 'above', threshold: '40ms' },
  { metric: 'avg_loss', when: 'above', threshold: '5%' },
  { metric: 'frame_rate', when: 'below', threshold: '15fps' },
  { metric: 'bitrate', when: 'below', threshold: '500kbps' },
  { metric: 'cpu_zoom_avg', when: 'above', threshold: '80%' },
  { metric: 'wifi_rssi', when: 'below', threshold: '-70dBm' },
];
const SELECTORS = [['any'], ['any_audio'], ['audio_input'], ['video_sent', 'audio_output'], ['any_received']];
/** Few values per field, so that streams tie. */
const VALUES: Record<string, readonly number[]> = {
  latency: [0.1, 0.3, 0.5, 0.5],
  jitter: [0.01, 0.04, 0.09],
  avgLoss: [0, 0.05, 0.2],
  frameRate: [5, 15, 30],
  bitrate: [100_000, 500_000, 2_000_000],
};

function randomRules(rnd: () => number): CompiledRule[] {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  const n = 1 + Math.floor(rnd() * 8);
  return rulesFrom(
    Array.from({ length: n }, (_, i) => {
      const r = pick(RULES);
      const perSample = r.metric === 'cpu_zoom_avg' || r.metric === 'wifi_rssi';
      return {
        name: `r${i}`,
        ...r,
        ...(perSample ? {} : { streams: pick(SELECTORS) }),
        ...(rnd() < 0.4 ? { aggregate: 'avg' as const } : {}),
      };
    }),
  );
}

function randomSample(rnd: () => number): QosSample {
  const names = STREAMS.map((s) => s.name).filter(() => rnd() < 0.3);
  names.sort(() => rnd() - 0.5);
  const streams: Record<string, StreamMetrics> = {};
  for (const name of names) {
    const m: Record<string, number> = {};
    for (const [key, xs] of Object.entries(VALUES))
      if (rnd() < 0.8) m[key] = xs[Math.floor(rnd() * xs.length)]!;
    streams[name] = m;
  }
  return sample('p', 0, streams, {
    ...(rnd() < 0.7 ? { cpu: { zoomAvg: rnd() < 0.5 ? 0.9 : 0.3 } } : {}),
    ...(rnd() < 0.7 ? { wifi: { avg: rnd() < 0.5 ? -80 : -50 } } : {}),
  });
}

/** A column's value (NaN: missing) and the first of its streams with the worst value, read from the sample's objects. */
function expected(rule: CompiledRule, s: QosSample): { value: number; stream: string | undefined } {
  const value = ruleValue(rule, s) ?? NaN;
  if (!rule.metric.perStream) return { value, stream: undefined };
  const worst = ruleValue({ ...rule, aggregate: 'worst' }, s);
  if (worst === undefined) return { value, stream: undefined };
  const stream = Object.keys(s.streams).find(
    (name) => rule.streamSet.has(name) && rule.metric.read(s, name) === worst,
  );
  return { value, stream };
}

describe('the compiled column reader', () => {
  it('reads each column as the sample’s objects say, with the first of its worst streams, numbers or not', () => {
    const rnd = seeded(1616);
    let tiesSeen = 0;
    for (let round = 0; round < 60; round++) {
      const rules = randomRules(rnd);
      const { columns } = columnsOf(rules, rules);
      const reader = new ColumnReader(columns);
      const cap = 40;
      const out = {
        values: new Float64Array(cap * columns.length),
        worst: new Uint8Array(cap * columns.length),
        cap,
      };
      for (let i = 0; i < cap; i++) {
        const s = randomSample(rnd);
        const withNumbers = i % 2 === 0;
        if (withNumbers) attachNumbers(s, numbersOf(s));
        const past = reader.read(s, numbersChunk(s), withNumbers ? numbersAt(s) : 0, i, out);
        let wantPast = 0;
        columns.forEach((c, k) => {
          const want = expected(c.reader, s);
          const got = out.values[k * cap + i]!;
          const w = out.worst[k * cap + i]!;
          expect({ value: got, stream: w ? reader.streamNames[w - 1] : undefined }).toEqual(want);
          if (c.reader.above ? want.value > c.first : want.value < c.first) wantPast = 1;
          if (want.stream && Object.keys(s.streams).filter((n) => c.reader.streamSet.has(n)).length > 1)
            tiesSeen++;
        });
        expect(past).toBe(wantPast);
      }
    }
    expect(tiesSeen).toBeGreaterThan(100);
  });

  it('takes only integers into its source', () => {
    const plan = {
      above: [true],
      avg: [false],
      perStream: [true],
      sampleAt: [-1],
      uses: [[[0, 1.5, 1] as const]],
    };
    expect(() => compileReader(plan)).toThrow('a column reader takes integers, not 1.5');
  });
});
