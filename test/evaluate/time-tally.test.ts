import { describe, expect, it } from 'vitest';
import { TimeTallies } from '../../src/evaluate/time-tally.js';
import { seeded } from '../helpers/storm.js';

/** A reading as the tallies count it: its sample time, whether it breaches, its instance's number. */
interface Reading {
  time: number;
  breaching: boolean;
  instance: number;
}

/** What `countAt` should answer, reading by reading. */
function byReading(
  readings: Iterable<Reading>,
  t: number,
  gapMs: number,
): { total: number; breaching: number; instances: number } {
  let total = 0;
  let breaching = 0;
  const instances = new Set<number>();
  for (const r of readings) {
    if (r.time > t || r.time < t - gapMs) continue;
    total++;
    if (!r.breaching) continue;
    breaching++;
    instances.add(r.instance);
  }
  return { total, breaching, instances: instances.size };
}

describe('time tallies', () => {
  it('count readings in and out, instance by instance or mixed, as a count reading by reading does', () => {
    const rnd = seeded(16_41);
    for (let round = 0; round < 40; round++) {
      const tallies = new TimeTallies();
      const readings = new Map<number, Reading>(); // by member
      for (let step = 0; step < 600; step++) {
        const t = 10 + Math.floor(step / 60);
        // Mostly a run of one instance's members (a poll's order), now and then any member.
        const member = rnd() < 0.8 ? step % 60 : Math.floor(rnd() * 60);
        const instance = rnd() < 0.9 ? 1 + Math.floor(member / 3) : 1 + Math.floor(rnd() * 20);
        const old = readings.get(member);
        if (old) tallies.count(old.time, old.breaching, old.instance, -1);
        if (rnd() < 0.1) {
          readings.delete(member); // it leaves
        } else {
          const now = { time: t - (rnd() < 0.1 ? 1 : 0), breaching: rnd() < 0.15, instance };
          tallies.count(now.time, now.breaching, now.instance, 1);
          readings.set(member, now);
        }
        if (rnd() < 0.5) {
          const gap = rnd() < 0.5 ? 0 : 1;
          expect(
            tallies.countAt(t, gap, () => false),
            `round ${round} step ${step}`,
          ).toEqual(byReading(readings.values(), t, gap));
        }
      }
    }
  });
});
