import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { MIN, rulesFrom, sample } from '../helpers/rules.js';

const rules = rulesFrom([
  { name: 'lat', metric: 'latency', when: 'above', threshold: '300ms', streams: ['any_audio'], for: '3m' },
  {
    name: 'lat-high',
    metric: 'latency',
    when: 'above',
    threshold: '400ms',
    streams: ['any_audio'],
    for: '3m',
  },
]);

/** Ana's sample at minute `m` with her audio latency and network. */
const at = (m: number, latency: number, networkType: string, topic: string): QosSample => {
  const s = sample('ana', m, { audio_input: { latency } }, { context: { networkType } });
  return { ...s, instance: { ...s.instance, topic } };
};

describe('a pending change', () => {
  it('read after its series moved on, reads as the series was when it went pending', () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const [went] = engine.handle({ type: 'samples', samples: [at(0, 0.35, 'Wifi', 'Standup')] });
    // Its series moves on before anyone reads the change: worse value, new network and topic.
    engine.handle({ type: 'samples', samples: [at(1, 0.5, 'Wired', 'Renamed')] });
    engine.handle({ type: 'samples', samples: [at(2, 0.5, 'Wired', 'Renamed')] });
    expect(went!.state).toBe('pending');
    const a = went!.alert;
    expect([a.state, a.valueText, a.since, a.lastSampleAt, a.durationMs]).toEqual([
      'pending',
      '350 ms',
      a.lastSampleAt,
      sample('ana', 0, {}).time,
      0,
    ]);
    expect([a.context.networkType, a.context.topic]).toEqual(['Wifi', 'Standup']);
    expect(engine.current(a.id)!.valueText).toBe('500 ms'); // the series itself moved on
  });

  it("of a meeting's series, read after more participants breached, reads as the meeting was", () => {
    const [inst] = rulesFrom([
      {
        name: 'inst',
        scope: 'instance',
        metric: 'avg_loss',
        when: 'above',
        threshold: '5%',
        streams: ['any_audio'],
        breaching: { ratio: '50%' },
        for: '3m',
      },
    ]);
    const engine = new RuleEngine([inst!], { gapToleranceMs: 5 * MIN });
    const loss = (who: string, m: number, avgLoss: number): QosSample =>
      sample(who, m, { audio_input: { avgLoss } });
    const minute = (m: number, ...losses: number[]): QosSample[] => losses.map((l, i) => loss(`p${i}`, m, l));
    const [went] = engine.handle({ type: 'samples', samples: minute(0, 0.09, 0.09, 0.001, 0.001) });
    // The meeting's series is made again from the next minute's members before it steps.
    engine.handle({ type: 'samples', samples: minute(1, 0.09, 0.09, 0.09, 0.001) });
    const a = went!.alert;
    expect([a.state, a.valueText, a.context.breaching, a.context.participants]).toEqual([
      'pending',
      '2 of 4 participants (50%)',
      2,
      4,
    ]);
    expect(engine.current(a.id)!.valueText).toBe('3 of 4 participants (75%)');
  });

  it("shares the join's context with the join's other series", () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    engine.handle({ type: 'samples', samples: [at(0, 0.5, 'Wifi', 'Standup')] });
    const [lat, high] = [...engine.state.series.values()];
    expect([lat!.rule, high!.rule]).toEqual(['lat', 'lat-high']);
    expect(lat!.context).toBe(high!.context);
    expect(lat!.context).toEqual(engine.current(lat!.id)!.context);
  });

  it('does not keep an engine let go of alive through the rules it was made with', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // An engine that made a pending change, let go of (with the change) while its rules live on,
    // as the rule set of a bench lives beside engine after engine, or a daemon's across a reload.
    const made = (): WeakRef<object> => {
      const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
      const [went] = engine.handle({ type: 'samples', samples: [at(0, 0.35, 'Wifi', 'Standup')] });
      expect(went!.state).toBe('pending');
      return new WeakRef(engine.state); // what it holds (the series, the groups)
    };
    const state = made();
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target to the end of the job
    gc();
    expect(state.deref()).toBeUndefined();
    expect(rules).toHaveLength(2);
  });
});
