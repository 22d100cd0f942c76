import { describe, expect, it } from 'vitest';
import { TimeBase } from '../../src/util/time-base.js';

/*
 * Times kept as ms after a base (util/time-base.ts): each read back exactly as it was kept,
 * small while the times stay within days of the base, and still exact and small after months
 * of times, the base moved on.
 */

const T = Date.parse('2026-11-20T10:00:00Z');
const DAY = 86_400_000;

describe('times kept after a base', () => {
  it('reads every time back exactly, whole ms or not, before and after the base moves on', () => {
    const base = new TimeBase();
    const times = new Map<string, number>();
    const all = new Map<string, number>();
    const keep = (k: string, t: number): void => {
      times.set(k, base.kept(t));
      all.set(k, t);
    };
    keep('first', T);
    keep('fraction', T + 1234.5678);
    keep('before', T - 3 * DAY - 0.25);
    keep('never', -Infinity);
    for (let day = 1; day <= 120; day++) {
      keep(`day ${day}`, T + day * DAY + (day % 7) * 0.125);
      base.rebase(T + day * DAY, [times]);
      for (const [k, t] of all) expect(base.time(times.get(k)!), `${k} on day ${day}`).toBe(t);
      // What is kept of the newest times is a small integer (V8 keeps it in the map's entry).
      expect(Math.abs(times.get(`day ${day}`)!)).toBeLessThan(2 ** 30);
    }
  });

  it('moves its base only when the times drift days from it', () => {
    const base = new TimeBase();
    const times = new Map([['a', base.kept(T)]]);
    base.rebase(T + DAY, [times]);
    expect(times.get('a')).toBe(0);
    base.rebase(T + 30 * DAY, [times]);
    expect(times.get('a')).toBe(-30 * DAY);
    expect(base.time(times.get('a')!)).toBe(T);
    base.rebase(NaN, [times]);
    expect(base.time(times.get('a')!)).toBe(T);
  });
});
