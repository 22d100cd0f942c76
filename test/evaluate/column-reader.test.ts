import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { sampleNumbers } from '../../src/normalize/sample-numbers.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { rulesFrom, sample } from '../helpers/rules.js';

/*
 * How a rule's value is read out of a sample's streams (column-reader.ts), whether the sample
 * came from the normalizer with its numbers (normalize/sample-numbers.ts) or was made without.
 */

const engineWith = (rules: Partial<RawRule>[]): RuleEngine =>
  new RuleEngine(rulesFrom(rules), { gapToleranceMs: 300_000 });
const fire = (rule: Partial<RawRule>, s: QosSample): { value: number; stream: string | undefined }[] =>
  engineWith([{ name: 'r', when: 'above', threshold: '300ms', ...rule }])
    .handle({ type: 'samples', samples: [s] })
    .map((c) => ({ value: c.alert.value, stream: c.alert.context.stream }));

/** A sample as the normalizer makes it (with its numbers), from QoS entry streams in this order. */
function normalized(streams: Record<string, Record<string, string>>): QosSample {
  const raw = {
    user_id: 'p1',
    user_name: 'P',
    user_qos: [{ date_time: '2026-03-02T12:00:00Z', ...streams }],
  };
  const [s] = normalizeParticipant(
    { kind: 'meeting', id: '1', uuid: 'u==', topic: 't' },
    raw,
    {},
    new NormalizeStats(),
  );
  expect(sampleNumbers(s!)).toBeDefined();
  return s!;
}

describe('a rule’s value in a sample', () => {
  const rule: Partial<RawRule> = { metric: 'latency', streams: ['any'] };

  it('names the first of the streams with the worst value, in the sample’s stream order', () => {
    const tie = { latency: 0.5 };
    expect(fire(rule, sample('p1', 0, { audio_output: tie, audio_input: tie }))).toEqual([
      { value: 0.5, stream: 'audio_output' },
    ]);
    expect(fire(rule, sample('p1', 0, { audio_input: tie, audio_output: tie }))).toEqual([
      { value: 0.5, stream: 'audio_input' },
    ]);
    const ms = { latency: '500 ms' };
    expect(fire(rule, normalized({ video_output: ms, audio_input: ms }))).toEqual([
      { value: 0.5, stream: 'video_output' },
    ]);
    expect(fire(rule, normalized({ audio_input: ms, video_output: ms }))).toEqual([
      { value: 0.5, stream: 'audio_input' },
    ]);
  });

  it('skips a stream without the rule’s field, for the worst value and the average alike', () => {
    const streams = {
      video_input: { frameRate: 20 },
      audio_input: { latency: 0.5 },
      audio_output: { latency: 0.2 },
    };
    expect(fire(rule, sample('p1', 0, streams))).toEqual([{ value: 0.5, stream: 'audio_input' }]);
    expect(fire({ ...rule, aggregate: 'avg' }, sample('p1', 0, streams))).toEqual([
      { value: 0.35, stream: 'audio_input' },
    ]);
    const raw = {
      video_input: { frame_rate: '20 fps' },
      audio_input: { latency: '500 ms' },
      audio_output: { latency: '200 ms' },
    };
    expect(fire(rule, normalized(raw))).toEqual([{ value: 0.5, stream: 'audio_input' }]);
    expect(fire({ ...rule, aggregate: 'avg' }, normalized(raw))).toEqual([
      { value: 0.35, stream: 'audio_input' },
    ]);
  });

  it('reads per-sample metrics (CPU, Wi-Fi, CPU pressure) at their place', () => {
    const raw = {
      user_id: 'p1',
      user_qos: [
        {
          date_time: '2026-03-02T12:00:00Z',
          audio_input: { latency: '10 ms' },
          cpu_usage: { zoom_avg_cpu_usage: '90%' },
          wifi_rssi: -80,
          cpu_pressure_level: 'critical',
        },
      ],
    };
    const [s] = normalizeParticipant(
      { kind: 'meeting', id: '1', uuid: 'u==', topic: 't' },
      raw,
      {},
      new NormalizeStats(),
    );
    const changes = engineWith([
      { name: 'cpu', metric: 'cpu_zoom_avg', when: 'above', threshold: '80%' },
      { name: 'wifi', metric: 'wifi_rssi', when: 'below', threshold: '-70dBm' },
      { name: 'pressure', metric: 'cpu_pressure_max', when: 'above', threshold: 'serious' },
    ]).handle({ type: 'samples', samples: [s!] });
    expect(changes.map((c) => [c.alert.rule, c.alert.value])).toEqual([
      ['cpu', 0.9],
      ['wifi', -80],
      ['pressure', 4],
    ]);
  });
});
