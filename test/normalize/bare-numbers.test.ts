import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { captureLog } from '../helpers/log.js';
import { daemonOnRewrittenQos, editQosOf } from '../helpers/rewritten-qos.js';

/**
 * Bare JSON numbers where Zoom writes text with a unit (outside tester, stop 37, LOW 12): Zoom's
 * API docs and samples show "5 ms", and only wifi_rssi as a number. `latency: 5` was read as
 * 5 ms without a word; it still is (Zoom's unit), but counted and its first logged once.
 */
let close: () => Promise<void>;
let events: PipelineEvent[] = [];
const { log, lines } = captureLog('info');
let metrics: string;

beforeAll(async () => {
  ({ events, metrics, close } = await daemonOnRewrittenQos(
    { seed: 'bare-numbers', id: 85400000037, uuid: 'bare/numbers==', userIds: ['600', '601'] },
    editQosOf('600', (q) => {
      q.audio_input = { ...(q.audio_input as Record<string, unknown>), latency: 5, bitrate: 27 };
    }),
    log,
  ));
}, 60_000);
afterAll(() => close());

const samplesOf = (user: string): QosSample[] =>
  events.flatMap((e) => (e.type === 'samples' ? e.samples.filter((s) => s.participant.join === user) : []));
const counted = (field: string): number =>
  Number(
    new RegExp(`^qoswatch_values_bare_total\\{field="${field}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0,
  );

describe('bare numbers where Zoom writes text with a unit', () => {
  it("are read in Zoom's unit, counted by field, and the first of each field logged once", () => {
    const ann = samplesOf('600');
    expect(ann.length).toBeGreaterThan(3);
    for (const s of ann) {
      expect(s.streams.audio_input?.latency).toBe(0.005);
      expect(s.streams.audio_input?.bitrate).toBe(27_000);
    }
    // Fails on the old code: no such count, no such line.
    expect(counted('latency')).toBe(ann.length);
    expect(counted('bitrate')).toBe(ann.length);
    expect(counted('jitter')).toBe(0);
    const said = lines.filter((l) => /as bare numbers/.test(l.msg));
    expect(said.map((l) => l.msg).sort()).toEqual([
      'Zoom sent bitrate values as bare numbers (the first: 27), not as text with a unit ("27 kbps"); read in kbps, Zoom\'s unit for it',
      'Zoom sent latency values as bare numbers (the first: 5), not as text with a unit ("5 ms"); read in ms, Zoom\'s unit for it',
    ]);
    expect(said.every((l) => l.level === 40)).toBe(true);
  });
});
