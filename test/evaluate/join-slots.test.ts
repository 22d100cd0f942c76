import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { LiveState } from '../../src/export/live-state.js';
import { JoinSlots } from '../../src/evaluate/join-slots.js';
import { restoredState, savedMembers } from '../../src/evaluate/state-store.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { InstanceRef, QosSample } from '../../src/normalize/sample.js';
import { MIN, rulesFrom, sample } from '../helpers/rules.js';
import { seeded } from '../helpers/storm.js';

const rules = rulesFrom([
  { name: 'lat', metric: 'latency', when: 'above', threshold: '300ms', streams: ['any_audio'] },
  {
    name: 'meeting',
    scope: 'instance',
    metric: 'latency',
    when: 'above',
    threshold: '300ms',
    streams: ['any_audio'],
    breaching: { ratio: '30%' },
  },
  {
    name: 'dc',
    scope: 'shared_cause',
    group_by: 'data_center',
    metric: 'latency',
    when: 'above',
    threshold: '300ms',
    streams: ['any_audio'],
    breaching: { ratio: '30%' },
    min_participants: 2,
  },
]);

const memberCount = (engine: RuleEngine): number => {
  let n = 0;
  for (const byKey of engine.state.members.values()) for (const m of byKey.values()) n += m.size;
  return n;
};

describe('join slots', () => {
  it('are freed when a join leaves or its instance ends, and reused: no growth over churn', () => {
    const rnd = seeded(16_2);
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    let nextJoin = 0;
    let nextMeeting = 0;
    const live = new Map<string, { instance: InstanceRef; joins: string[] }>();
    const start = (): void => {
      const id = `m${nextMeeting++}`;
      live.set(id, { instance: { kind: 'meeting', id, uuid: `${id}==`, topic: id }, joins: [] });
    };
    for (let i = 0; i < 5; i++) start();
    let peak = 0;
    let joinsSeen = 0;
    for (let m = 0; m < 600; m++) {
      const events: PipelineEvent[] = [];
      for (const [id, meeting] of live) {
        while (meeting.joins.length < 6) {
          meeting.joins.push(`j${nextJoin++}`);
          joinsSeen++;
        }
        const samples = meeting.joins.map((p) => {
          const dc = `dc${Number(p.slice(1)) % 3}`;
          const s = sample(p, m, { audio_input: { latency: rnd() < 0.4 ? 0.5 : 0.1 } }, { dc });
          return { ...s, instance: meeting.instance };
        });
        events.push({ type: 'samples', samples });
        if (rnd() < 0.5) {
          const gone = meeting.joins.splice(Math.floor(rnd() * meeting.joins.length), 1)[0]!;
          events.push({ type: 'left', instance: meeting.instance, participant: gone, at: samples[0]!.time });
        }
        if (rnd() < 0.05) {
          events.push({ type: 'ended', instance: meeting.instance, at: samples[0]!.time });
          live.delete(id);
          start();
        }
      }
      for (const e of events) engine.handle(e);
      const liveJoins = [...live.values()].reduce((n, x) => n + x.joins.length, 0);
      // Joins that reported have a slot; those that left or whose meeting ended have none.
      expect(engine.state.slots.size, `minute ${m}`).toBeLessThanOrEqual(liveJoins);
      // Each live join is a member of at most one group per group rule.
      expect(memberCount(engine), `minute ${m}`).toBeLessThanOrEqual(2 * engine.state.slots.size);
      peak = Math.max(peak, engine.state.slots.size);
    }
    expect(joinsSeen).toBeGreaterThan(1_000);
    // Freed slots are reused before new ones are taken: as many as were ever live at once.
    expect(engine.state.slots.capacity).toBeLessThanOrEqual(peak + 6);
    expect(engine.state.slots.size).toBeGreaterThan(0);
  });

  it('give each join one slot, reuse a freed one, and name its join back', () => {
    const slots = new JoinSlots();
    const a = slots.slot('meeting:x', 'p1');
    const b = slots.slot('meeting:x', 'p2');
    const c = slots.slot('meeting:y', 'p1');
    expect(new Set([a, b, c]).size).toBe(3);
    expect(slots.slot('meeting:x', 'p1')).toBe(a);
    expect([slots.instanceKeyOf(c), slots.participantKeyOf(c)]).toEqual(['meeting:y', 'p1']);
    expect(slots.leave('meeting:x', ['p2', 'nobody'])).toEqual([b]);
    expect(slots.find('meeting:x', 'p2')).toBeUndefined();
    expect(slots.slot('meeting:z', 'q')).toBe(b); // reused
    expect(slots.end('meeting:x')).toEqual([a]);
    expect(slots.size).toBe(2);
    expect(slots.capacity).toBe(3);
  });

  it('number each instance once for all its joins, keep the number past a freed slot, and never give it to another', () => {
    const slots = new JoinSlots();
    const a = slots.slot('meeting:x', 'p1');
    const b = slots.slot('meeting:x', 'p2');
    const c = slots.slot('meeting:y', 'p1');
    const x = slots.instanceIdOf(a);
    expect(slots.instanceIdOf(b)).toBe(x);
    expect(slots.instanceIdOf(c)).not.toBe(x);
    slots.leave('meeting:x', ['p1']);
    expect(slots.instanceIdOf(a)).toBe(x); // its readings are dropped by it after the slot is freed
    expect(slots.instanceIdOf(slots.slot('meeting:x', 'p3'))).toBe(x); // the instance lives on
    const seen = new Set([x, slots.instanceIdOf(c)]);
    slots.end('meeting:x');
    // The key comes back after its instance ended (and again after its last join left): a new number each time.
    const back = slots.instanceIdOf(slots.slot('meeting:x', 'p1'));
    expect(seen.has(back)).toBe(false);
    seen.add(back);
    slots.leave('meeting:x', ['p1']);
    expect(seen.has(slots.instanceIdOf(slots.slot('meeting:x', 'p1')))).toBe(false);
  });

  it("take a guessed slot only when it is that join's: not one of the same key in another instance, nor a freed one", () => {
    const slots = new JoinSlots();
    const x = slots.instance('meeting:x');
    const y = slots.instance('meeting:y');
    const a = slots.slotIn(x, 'meeting:x', 'p1');
    const b = slots.slotIn(y, 'meeting:y', 'p1'); // the same person in another meeting
    expect(slots.slotIn(x, 'meeting:x', 'p1', a)).toBe(a);
    expect(slots.slotIn(x, 'meeting:x', 'p1', b)).toBe(a); // b is p1's, but in meeting y
    expect(slots.slotIn(y, 'meeting:y', 'p2', b)).not.toBe(b); // b is y's, but p1's
    slots.leave('meeting:x', ['p1']);
    const again = slots.slotIn(slots.instance('meeting:x'), 'meeting:x', 'p1', a);
    expect(slots.find('meeting:x', 'p1')).toBe(again);
    slots.end('meeting:y');
    const y2 = slots.instance('meeting:y');
    const b2 = slots.slotIn(y2, 'meeting:y', 'p1', b); // b was freed with its meeting
    expect(slots.find('meeting:y', 'p1')).toBe(b2);
    expect(slots.participantKeyOf(b2)).toBe('p1');
    expect(new Set([again, b2, slots.find('meeting:y', 'p2')]).size).toBe(3);
  });

  it("change a join's stamp when what rules read of its participant changes, and only then", () => {
    const slots = new JoinSlots();
    const slot = slots.slot('meeting:m1', 'p1');
    const at = (m: number, who: Partial<QosSample['participant']> = {}): number => {
      const s = sample('p1', m, {});
      s.participant = { ...s.participant, ...who }; // a new object each sample, as a poll gives
      slots.see(slot, s);
      return slots.stamp(slot);
    };
    const first = at(0);
    expect(first).toBeGreaterThan(0);
    expect(at(1)).toBe(first); // the same fields in a new object
    expect(at(2, { ip: '198.51.100.9', join: 'j2', person: 'u2' })).toBe(first); // no rule reads these
    const renamed = at(3, { name: 'Pat' });
    expect(renamed).toBeGreaterThan(first);
    const mailed = at(4, { name: 'Pat', email: 'pat@example.com' });
    expect(mailed).toBeGreaterThan(renamed);
    const labelled = at(5, { name: 'Pat', email: 'pat@example.com', label: 'Pat (iPad)' });
    expect(labelled).toBeGreaterThan(mailed);
    expect(at(6, { name: 'Pat', email: 'pat@example.com', label: 'Pat (iPad)' })).toBe(labelled);
  });

  it('hold the context of a join in one object with the live state, event after event, as the daemon hands them on', () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const live = new LiveState();
    const hand = (e: PipelineEvent): void => {
      engine.handle(e); // the daemon's order (app/daemon.ts): the rule engine, then the live state
      live.handle(e);
    };
    const audio = { audio_input: { latency: 0.1 } };
    // Each poll's JSON gives new context objects; a first poll brings ten minutes of everyone.
    const poll = (from: number, to: number, dc = 'SC'): PipelineEvent => ({
      type: 'samples',
      samples: ['p1', 'p2', 'p3'].flatMap((p) =>
        Array.from({ length: to - from }, (_, i) => sample(p, from + i, audio, { dc })),
      ),
    });
    const shared = (): boolean[] =>
      ['p1', 'p2', 'p3'].map((p) => {
        const kept = engine.state.slots.keptContextOf(engine.state.slots.find('meeting:m1', p)!);
        return kept !== undefined && live.instances.get('meeting:m1')!.participants.get(p)!.context === kept;
      });
    hand(poll(0, 10));
    expect(shared()).toEqual([true, true, true]);
    hand(poll(5, 12));
    expect(shared()).toEqual([true, true, true]);
    hand(poll(12, 14, 'NY')); // a context that changed: one new object, shared again
    expect(shared()).toEqual([true, true, true]);
    expect(live.instances.get('meeting:m1')!.participants.get('p1')!.context.dataCenter).toBe('NY');
  });

  it('survive a save and restore: members keep their saved keys and are found by the next samples', () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const bad = { audio_input: { latency: 0.5 } };
    engine.handle({
      type: 'samples',
      samples: ['a', 'b', 'c'].map((p) => sample(p, 0, bad, { dc: 'SC' })),
    });
    engine.handle({ type: 'samples', samples: ['a', 'b', 'c'].map((p) => sample(p, 1, bad, { dc: 'SC' })) });
    const saved = savedMembers(engine.state);
    expect(saved.filter((m) => m.rule === 'dc').map((m) => m.member)).toEqual([
      'meeting:m1/a',
      'meeting:m1/b',
      'meeting:m1/c',
    ]);
    expect(saved.filter((m) => m.rule === 'meeting').map((m) => m.member)).toEqual(['a', 'b', 'c']);
    const restored = restoredState([...engine.state.series.values()], saved);
    expect(savedMembers(restored)).toEqual(saved);
    const again = new RuleEngine(rules, { gapToleranceMs: 5 * MIN }, restored);
    again.handle({ type: 'samples', samples: ['a', 'b', 'c'].map((p) => sample(p, 2, bad, { dc: 'SC' })) });
    // The same joins, not new members beside the restored ones.
    expect(memberCount(again)).toBe(6);
    expect(again.state.slots.size).toBe(3);
  });
});
