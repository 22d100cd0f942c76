import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { MIN, rulesFrom, sample, type SampleExtra } from '../helpers/rules.js';

const rules = rulesFrom([
  { name: 'lat', metric: 'latency', when: 'above', threshold: '300ms', streams: ['any_audio'], for: '2m' },
]);
const bad = { audio_input: { latency: 0.5 }, audio_output: { latency: 0.4 } };
const ID = 'lat|meeting:m1/ana';

/** Ana's sample at minute `m`, every object new (as the normalizer makes them). */
const at = (m: number, extra: SampleExtra = {}, topic = 'Topic m1'): QosSample => {
  const s = sample('ana', m, structuredClone(bad), extra);
  return { ...s, instance: { ...s.instance, topic } };
};

describe("a participant alert's context", () => {
  it('follows the newest sample: topic, network, device, worst stream, a second device', () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    engine.handle({ type: 'samples', samples: [at(0)] });
    engine.handle({ type: 'samples', samples: [at(1)] });
    const first = engine.current(ID)!;
    expect([first.state, first.context.topic, first.context.networkType]).toEqual([
      'pending',
      'Topic m1',
      'Wifi',
    ]);
    expect(first.context.stream).toBe('audio_input');
    engine.handle({ type: 'samples', samples: [at(2, {}, 'Renamed')] });
    const renamed = engine.current(ID)!;
    expect([renamed.state, renamed.context.topic, renamed.context.networkType]).toEqual([
      'firing',
      'Renamed',
      'Wifi',
    ]);
    const wired = at(3, { context: { networkType: 'Wired' } }, 'Renamed');
    engine.handle({ type: 'samples', samples: [wired] });
    expect(engine.current(ID)!.context.networkType).toBe('Wired');
    const worseOutput = at(4, { context: { networkType: 'Wired' } }, 'Renamed');
    worseOutput.streams = { audio_input: { latency: 0.4 }, audio_output: { latency: 0.6 } };
    engine.handle({ type: 'samples', samples: [worseOutput] });
    expect(engine.current(ID)!.context.stream).toBe('audio_output');
    // The same person joins from a phone (all else as before): the alert names the device from then on.
    const phone = sample(
      'ana-phone',
      4,
      { audio_input: { latency: 0.1 } },
      { context: { device: 'iPhone' } },
    );
    phone.participant.name = 'ANA';
    engine.handle({
      type: 'samples',
      samples: [phone, { ...worseOutput, time: worseOutput.time + MIN }],
    });
    expect(engine.current(ID)!.context.participant).toBe('ANA (Mac)');
    // Still two devices a minute later, all else the same; then the phone leaves: one device again.
    const later = (m: number): QosSample => ({ ...worseOutput, time: worseOutput.time + m * MIN });
    engine.handle({ type: 'samples', samples: [later(2)] });
    expect(engine.current(ID)!.context.participant).toBe('ANA (Mac)');
    engine.handle({ type: 'left', instance: phone.instance, participant: 'ana-phone', at: later(2).time });
    engine.handle({ type: 'samples', samples: [later(3)] });
    expect(engine.current(ID)!.context.participant).toBe('ANA');
  });

  it('is not built again while the samples say the same', () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    for (let m = 0; m < 3; m++) engine.handle({ type: 'samples', samples: [at(m)] });
    const context = engine.state.series.get(ID)!.context;
    for (let m = 3; m < 6; m++) engine.handle({ type: 'samples', samples: [at(m)] });
    expect(engine.state.series.get(ID)!.context).toBe(context);
    engine.handle({ type: 'samples', samples: [at(6, { context: { location: 'Lisbon (PT)' } })] });
    expect(engine.state.series.get(ID)!.context).not.toBe(context);
    expect(engine.state.series.get(ID)!.context.location).toBe('Lisbon (PT)');
  });
});
