import { describe, expect, it } from 'vitest';
import type { EngineContext } from '../../src/evaluate/context.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { compareCase, describeMismatch, noneExercised } from '../helpers/engine-comparison.js';
import { randomCase, type EngineCase } from '../helpers/random-engine-case.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

/** Other thresholds of the random rules' metrics (random-engine-case.ts), for a rule's twins. */
const OTHER: Record<string, readonly string[]> = {
  latency: ['200ms', '300ms', '400ms'],
  jitter: ['30ms', '40ms'],
  avg_loss: ['3%', '5%', '10%'],
  frame_rate: ['10fps', '15fps'],
  cpu_zoom_avg: ['70%', '80%'],
};

/**
 * Each meeting or shared-cause rule with twins: the same rule at each other threshold of its
 * metric (no recovery threshold, which may not suit it), so that group rules come in families
 * of several thresholds (group-keys.ts) whose readings are shared (shared-readings.ts).
 */
function withTwins(rules: readonly Partial<RawRule>[]): Partial<RawRule>[] {
  return rules.flatMap((r) => {
    if (!r.scope || r.scope === 'participant') return [r];
    const twins = (OTHER[r.metric!] ?? [])
      .filter((t) => t !== String(r.threshold))
      .map((threshold, k) => {
        const { recovery, ...rest } = r;
        const twin: Partial<RawRule> = { ...rest, name: `${r.name}t${k}`, threshold };
        if (recovery?.for) twin.recovery = { for: recovery.for };
        return twin;
      });
    return [r, ...twins];
  });
}

const twinned = (c: EngineCase): EngineCase => ({
  ...c,
  rules: withTwins(c.rules),
  events: c.events.map((e) => (e.type === 'reload' ? { ...e, rules: withTwins(e.rules) } : e)),
});

describe('group rules in families of several thresholds', () => {
  it('make the same alert changes as the reference evaluator, with readings shared by a family and reloaded while shared', () => {
    const total = noneExercised();
    for (let seed = 4100; seed < 4112; seed++) {
      const kase = twinned(randomCase(seed));
      const { mismatch, exercised } = compareCase(kase);
      if (mismatch) expect.fail(`seed ${seed}:\n${describeMismatch(kase, mismatch)}`);
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += exercised[k];
    }
    expect(total.changes).toBeGreaterThan(200);
    expect(total.groupLeft).toBeGreaterThan(5);
    expect(total.groupMoved).toBeGreaterThan(0);
    expect(total.regrouped).toBeGreaterThan(0);
  }, 60_000);
});

describe('a meeting of an instance-scoped family that ends', () => {
  it("writes back its own shared readings only: the other meetings' stay shared, and alert as before", () => {
    const meetingRule = (name: string, threshold: string): Partial<RawRule> => ({
      name,
      scope: 'instance',
      streams: ['any_audio'],
      metric: 'avg_loss',
      when: 'above',
      threshold,
      breaching: { ratio: '50%' },
      min_participants: 2,
    });
    // One family (same column, scope and filters) of two thresholds.
    const engine = new RuleEngine(rulesFrom([meetingRule('loss5', '5%'), meetingRule('loss10', '10%')]), {
      gapToleranceMs: 5 * MIN,
    });
    const { groupKeys } = (engine as unknown as { ctx: EngineContext }).ctx;
    expect(groupKeys).toHaveLength(1);
    const { shared } = groupKeys[0]!;
    const who = ['a', 'b', 'c'];
    // Meeting m1: two of three at 12% loss (past both thresholds); the others healthy.
    const minute = (m: number, meetings: readonly string[]): QosSample[] =>
      meetings.flatMap((inst) =>
        who.map((p) =>
          sample(
            p,
            m,
            { audio_input: { avgLoss: inst === 'm1' && p !== 'c' ? 0.12 : 0.001 } },
            { instance: inst },
          ),
        ),
      );
    const sharedOf = (inst: string): boolean[] =>
      who.map((p) => shared.has(engine.state.slots.find(`meeting:${inst}`, p)!));
    const all = ['m0', 'm1', 'm2', 'm3'];
    const fired = engine.handle({ type: 'samples', samples: minute(0, all) });
    expect(fired.map((c) => [c.alert.id, c.state])).toEqual([
      ['loss5|meeting:m1', 'firing'],
      ['loss10|meeting:m1', 'firing'],
    ]);
    expect(engine.handle({ type: 'samples', samples: minute(1, all) })).toEqual([]);
    for (const inst of all) expect(sharedOf(inst)).toEqual([true, true, true]);

    const ended = engine.handle({
      type: 'ended',
      instance: { kind: 'meeting', id: 'm0', uuid: 'm0', topic: 'Topic m0' },
      at: T + MIN,
    });
    expect(ended).toEqual([]);
    // Before, the end wrote back every reading the family shared (unshareAll): all false here.
    for (const inst of ['m1', 'm2', 'm3']) expect(sharedOf(inst)).toEqual([true, true, true]);
    expect(engine.handle({ type: 'samples', samples: minute(2, ['m1', 'm2', 'm3']) })).toEqual([]);
    expect([engine.current('loss5|meeting:m1')?.state, engine.current('loss10|meeting:m1')?.state]).toEqual([
      'firing',
      'firing',
    ]);
    expect(engine.current('loss5|meeting:m1')?.context).toMatchObject({ breaching: 2, participants: 3 });
  });
});

describe("a shared cause's group whose value reads as a meeting's key", () => {
  it("keeps its group slot, and its readings shared in its rules' groups, when that meeting ends", () => {
    // A data center named as a meeting's key. The old code dropped the group of that name under
    // every rule at the meeting's end (departures.ts, as the reference did), though meeting x's
    // joins were in it: their readings were written back (0 here), and the incident resolved.
    const dc = (name: string, threshold: string): Partial<RawRule> => ({
      name,
      scope: 'shared_cause',
      group_by: 'data_center',
      streams: ['any_audio'],
      metric: 'avg_loss',
      when: 'above',
      threshold,
      breaching: { count: 2 },
      min_participants: 2,
    });
    const engine = new RuleEngine(rulesFrom([dc('dc5', '5%'), dc('dc10', '10%')]), {
      gapToleranceMs: 5 * MIN,
    });
    const { groupKeys, slotMembers } = (engine as unknown as { ctx: EngineContext }).ctx;
    const keys = groupKeys[0]!;
    const minute = (m: number): QosSample[] => [
      ...['a', 'b', 'c'].map((p) =>
        sample(
          p,
          m,
          { audio_input: { avgLoss: p === 'c' ? 0.001 : 0.12 } },
          { instance: 'x', dc: 'meeting:y' },
        ),
      ),
      sample('q', m, { audio_input: { avgLoss: 0.001 } }, { instance: 'y', dc: 'meeting:y' }),
    ];
    /** The joins of meeting x whose reading the family shares, each checked in its rules' groups. */
    const sharedInPlace = (): number => {
      let n = 0;
      for (const p of ['a', 'b', 'c']) {
        const slot = engine.state.slots.find('meeting:x', p)!;
        if (!keys.shared.has(slot)) continue;
        n++;
        const g = keys.group[slot]!;
        for (const r of slotMembers)
          expect(r.groups[g] !== undefined && r.in[slot] === r.groups[g]).toBe(true);
      }
      return n;
    };
    engine.handle({ type: 'samples', samples: minute(0) });
    engine.handle({ type: 'samples', samples: minute(1) });
    expect(sharedInPlace()).toBe(3);
    engine.handle({
      type: 'ended',
      instance: { kind: 'meeting', id: 'y', uuid: 'y', topic: 'Topic y' },
      at: T + MIN,
    });
    // Only q (of meeting y) left the group; x's joins are in it as before.
    expect(sharedInPlace()).toBe(3);
    const a = engine.state.slots.find('meeting:x', 'a')!;
    expect(keys.keyOf(keys.group[a]!)).toBe('meeting:y');
    expect(engine.state.members.get('dc5')?.get('meeting:y')?.size).toBe(3);
  });
});
