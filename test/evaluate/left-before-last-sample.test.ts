import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

// Zoom stamps a QoS sample at its minute's end: its own example (zoomnet participants-qos) has
// leave_time 10:15:14 and a sample at 10:16:00. A leave dated before the last sample must not
// make the resolve end before the alert fired (Alertmanager refuses endsAt before startsAt).
describe('a leave dated before the last sample', () => {
  const meeting = { kind: 'meeting' as const, id: 'm1', uuid: 'm1', topic: '' };
  const engine = (): RuleEngine =>
    new RuleEngine(
      rulesFrom([
        {
          name: 'lat',
          streams: ['any_audio'],
          metric: 'latency',
          when: 'above',
          threshold: '300ms',
          for: '0',
        },
      ]),
      { gapToleranceMs: 5 * MIN },
    );

  it('resolves at the last sample, not before the alert fired', () => {
    const e = engine();
    const fired = e.handle({
      type: 'samples',
      samples: [sample('a', 16, { audio_input: { latency: 0.4 } })],
    });
    expect(fired.find((c) => c.alert.state === 'firing')!.alert.firingSince).toBe(T + 16 * MIN);
    const left = e.handle({ type: 'left', instance: meeting, participant: 'a', at: T + 15 * MIN + 14_000 });
    const r = left.find((c) => c.alert.state === 'resolved')!.alert;
    expect(r.reason).toBe('left');
    expect(r.firingSince).toBe(T + 16 * MIN);
    expect(r.resolvedAt).toBe(T + 16 * MIN);
  });

  it('keeps a leave dated after the last sample', () => {
    const e = engine();
    e.handle({ type: 'samples', samples: [sample('a', 16, { audio_input: { latency: 0.4 } })] });
    const left = e.handle({ type: 'left', instance: meeting, participant: 'a', at: T + 16 * MIN + 30_000 });
    expect(left.find((c) => c.alert.state === 'resolved')!.alert.resolvedAt).toBe(T + 16 * MIN + 30_000);
  });
});
