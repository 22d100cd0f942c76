import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { captureLog } from '../helpers/log.js';
import { daemonOnRewrittenQos, editQosOf } from '../helpers/rewritten-qos.js';

/**
 * Values Zoom sends that are not readings (outside tester, stop 27, LOW #5). Before, "12 parsecs",
 * "250%" and a CPU pressure of 42 were counted with Zoom's legitimate empty strings in
 * `qoswatch_values_missing_total{field}` and never logged; "126 sec" was read as a latency of
 * 126 s (and alerted on), a negative latency taken as it came. Now each is skipped, counted by its
 * own reason, and its first form logged once.
 */
let close: () => Promise<void>;
let events: PipelineEvent[] = [];
const { log, lines } = captureLog('info');
let metrics: string;

/** What the proxy writes into every QoS entry of the participant with user_id 500. */
const FORGED: Record<string, Record<string, unknown>> = {
  audio_input: { latency: '126 sec', bitrate: '12 parsecs', avg_loss: '250%', jitter: '-5 ms' },
  audio_output: { latency: '-40 ms', frame_rate: '' },
  video_input: { frame_rate: '9000 fps', resolution: '0*0' },
};

beforeAll(async () => {
  ({ events, metrics, close } = await daemonOnRewrittenQos(
    { seed: 'unreadable-values', id: 85400000001, uuid: 'odd/values==', userIds: ['500', '501'] },
    editQosOf('500', (q) => {
      for (const [stream, values] of Object.entries(FORGED))
        q[stream] = { ...(q[stream] as Record<string, unknown>), ...values };
      q.cpu_pressure_level = 42;
      // A stream that is not an object (outside tester, stop 42, LOW): before, dropped silently.
      q.video_output = 'garbage';
    }),
    log,
  ));
}, 60_000);
afterAll(() => close());

const samplesOf = (user: string): QosSample[] =>
  events.flatMap((e) => (e.type === 'samples' ? e.samples.filter((s) => s.participant.join === user) : []));
const counted = (field: string, reason: string): number => {
  const m = new RegExp(
    `^qoswatch_values_missing_total\\{field="${field}",reason="${reason}"\\} (\\d+)$`,
    'm',
  ).exec(metrics);
  return m ? Number(m[1]) : 0;
};

describe('values Zoom sends that are not readings', () => {
  it('are skipped: no implausible number reaches a sample, the readable ones do', () => {
    const ann = samplesOf('500');
    expect(ann.length).toBeGreaterThan(3);
    for (const s of ann) {
      expect(s.streams.audio_input?.latency).toBeUndefined();
      expect(s.streams.audio_input?.bitrate).toBeUndefined();
      expect(s.streams.audio_input?.avgLoss).toBeUndefined();
      expect(s.streams.audio_input?.jitter).toBeUndefined();
      expect(s.streams.audio_output?.latency).toBeUndefined();
      expect(s.streams.video_input?.frameRate).toBeUndefined();
      expect(s.cpuPressure).toBeUndefined();
      // What the proxy left alone is still read.
      expect(s.streams.audio_input?.maxLoss).toBeGreaterThanOrEqual(0);
    }
    expect(samplesOf('501').every((s) => (s.streams.audio_input?.latency ?? -1) >= 0)).toBe(true);
  });

  it("are counted by their own reason, apart from Zoom's empty values", () => {
    const n = samplesOf('500').length;
    expect(counted('latency', 'implausible')).toBe(2 * n); // "126 sec", "-40 ms"
    expect(counted('jitter', 'implausible')).toBe(n);
    expect(counted('avg_loss', 'implausible')).toBe(n);
    expect(counted('frame_rate', 'implausible')).toBe(n);
    expect(counted('bitrate', 'unreadable')).toBe(n);
    expect(counted('cpu_pressure_level', 'unreadable')).toBe(n);
    expect(counted('video_output', 'unreadable')).toBe(n);
    expect(counted('frame_rate', 'empty')).toBeGreaterThanOrEqual(n);
    expect(counted('resolution', 'empty')).toBeGreaterThanOrEqual(n);
  });

  it('are logged once per field and reason, with the first form Zoom sent', () => {
    const said = lines.filter((l) =>
      /values (outside what can be measured|in a form qoswatch does not read)/.test(l.msg),
    );
    const keys = said.map((l) => `${String(l.field)}:${String(l.reason)}`).sort();
    expect(keys).toEqual(
      [
        'avg_loss:implausible',
        'bitrate:unreadable',
        'cpu_pressure_level:unreadable',
        'frame_rate:implausible',
        'jitter:implausible',
        'latency:implausible',
        'video_output:unreadable',
      ].sort(),
    );
    expect(said.find((l) => l.field === 'latency')!.form).toBe('126 sec');
    expect(said.find((l) => l.field === 'bitrate')!.msg).toContain('"12 parsecs"');
    expect(said.find((l) => l.field === 'cpu_pressure_level')!.form).toBe('42');
    expect(said.find((l) => l.field === 'video_output')!.msg).toContain('"garbage"');
  });
});
