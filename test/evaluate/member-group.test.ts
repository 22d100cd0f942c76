import { describe, expect, it } from 'vitest';
import { JoinSlots } from '../../src/evaluate/join-slots.js';
import { GroupReadings, MemberGroup } from '../../src/evaluate/member-group.js';
import { seeded } from '../helpers/storm.js';

/** The group's members at `t` and how many of them breach, member by member (what `each` gives countGroup). */
function byPass(group: MemberGroup, t: number): { all: boolean; breaching: number } {
  let all = group.size > 0;
  let breaching = 0;
  group.each((time, breaches) => {
    if (time !== t) all = false;
    if (breaches) breaching++;
    return true;
  });
  return { all, breaching };
}

describe('a group of typed members', () => {
  it('counts its breaching members at t without a pass only when all of them read at t, as a pass would', () => {
    const rnd = seeded(16_0);
    const slots = new JoinSlots();
    const readings = new GroupReadings(slots);
    readings.grow(20);
    const group = new MemberGroup('meeting:m1', readings);
    const other = new MemberGroup('meeting:m2', readings);
    let quick = 0;
    for (let step = 0; step < 5_000; step++) {
      const t = 10 + Math.floor(step / 50); // a minute of 50 readings, then the next
      const slot = Math.floor(rnd() * 20);
      const time = t - (rnd() < 0.02 ? 1 : 0); // now and then a reading a minute late
      const breaching = rnd() < 0.3;
      const r = rnd();
      if (readings.in[slot] === group && r < 0.9) {
        // rulePass's update in place of a member's reading
        group.moved(readings.time[slot]!, readings.breach[slot] === 1, time, breaching, slot);
        readings.time[slot] = time;
        readings.breach[slot] = breaching ? 1 : 0;
      } else if (readings.in[slot] === group) group.delete(slot);
      else if (r < 0.8) {
        readings.in[slot]?.delete(slot); // a move from the other group
        group.join(slot, time, 1, breaching);
      } else if (!readings.in[slot]) other.join(slot, time, 1, breaching);
      for (const at of [t - 1, t]) {
        const n = group.allBreachingAt(at);
        const pass = byPass(group, at);
        if (n < 0) continue;
        quick++;
        expect(pass).toEqual({ all: true, breaching: n });
      }
    }
    expect(quick).toBeGreaterThan(100);
  });
});
