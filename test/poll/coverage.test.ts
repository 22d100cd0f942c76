import { describe, expect, it } from 'vitest';
import { CoverageTracker } from '../../src/poll/coverage.js';
import type { QosSample } from '../../src/normalize/sample.js';

/*
 * Coverage (poll/coverage.ts) keeps a polled instance's participants as its poll listed them,
 * and a map once pushes add to them or take from them. Whatever it keeps them as, its report
 * must be the one of a plain map of every live participant's newest time: checked here against
 * one, over random polls, samples, pushes, leaves and ends of a few instances.
 */

const T = Date.parse('2026-11-20T10:00:00Z');
const FRESH = 150_000;

/** What coverage reports, with every participant in one map (the reference). */
class Reference {
  readonly live = new Map<string, Map<string, number>>();
  readonly unpolled = new Map<string, { participants: number; since: number }>();
  /** Instances whose last poll failed: none of their participants is fresh until one answers. */
  readonly unread = new Set<string>();
  listed(i: string, n: number, now: number): void {
    if (this.live.has(i)) return;
    this.unpolled.set(i, { participants: Math.max(0, n), since: this.unpolled.get(i)?.since ?? now });
  }
  present(i: string, ps: readonly string[], now: number): void {
    this.unpolled.delete(i);
    this.unread.delete(i);
    const old = this.live.get(i) ?? new Map<string, number>();
    const next = new Map<string, number>();
    for (const p of ps) next.set(p, old.get(p) ?? now - FRESH);
    this.live.set(i, next);
  }
  samples(i: string, ss: readonly QosSample[]): void {
    const m = this.live.get(i);
    if (m)
      for (const s of ss)
        if (m.has(s.participant.key) && s.time > m.get(s.participant.key)!) m.set(s.participant.key, s.time);
  }
  pushed(i: string, ss: readonly QosSample[], now: number): void {
    this.unpolled.delete(i);
    this.unread.delete(i);
    let m = this.live.get(i);
    if (!m) this.live.set(i, (m = new Map<string, number>()));
    for (const s of ss) {
      const t = m.get(s.participant.key);
      if (t === undefined) m.set(s.participant.key, Math.min(s.time, now));
      else if (s.time > t) m.set(s.participant.key, s.time);
    }
  }
  report(now: number): object {
    let live = 0;
    let fresh = 0;
    let maxStalenessMs = 0;
    for (const [i, m] of this.live)
      for (const t of m.values()) {
        live++;
        if (now - t < FRESH && !this.unread.has(i)) fresh++;
        maxStalenessMs = Math.max(maxStalenessMs, now - t);
      }
    for (const u of this.unpolled.values()) {
      live += u.participants;
      if (u.participants) maxStalenessMs = Math.max(maxStalenessMs, now - u.since + FRESH);
    }
    return { live, fresh, ratio: live ? fresh / live : null, maxStalenessMs };
  }
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sample = (instance: string, key: string, time: number): QosSample => ({
  instance: { kind: 'meeting', id: instance, uuid: instance, topic: instance },
  participant: { key, name: key, email: '', ip: '' },
  context: {},
  time,
  streams: {},
});

describe('coverage', () => {
  for (const seed of [1, 2, 3, 4, 5])
    it(`reports what a map of every live participant would, over polls, pushes, leaves and ends (seed ${seed})`, () => {
      const next = random(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
      const instances = ['a', 'b', 'c'];
      const people = Array.from({ length: 12 }, (_, i) => `p${i}`);
      const some = (): string[] => people.filter(() => next() < 0.5);
      const coverage = new CoverageTracker(FRESH);
      const reference = new Reference();
      let now = T;
      for (let step = 0; step < 400; step++) {
        now += Math.floor(next() * 40_000);
        const i = pick(instances);
        const op = next();
        if (op < 0.1) {
          const n = Math.floor(next() * 20);
          coverage.listed(i, n, now);
          reference.listed(i, n, now);
        } else if (op < 0.4) {
          // A poll's list (now and then with a key twice), then its samples, some of people not listed.
          const listed = some();
          if (listed.length && next() < 0.1) listed.push(listed[0]!);
          coverage.present(i, listed, now);
          reference.present(i, listed, now);
          const ss = some().map((p) => sample(i, p, now - Math.floor(next() * 300_000)));
          coverage.samples(i, ss);
          reference.samples(i, ss);
        } else if (op < 0.6) {
          const ss = some().map((p) => sample(i, p, now - Math.floor(next() * 300_000) + 10_000));
          coverage.pushed(i, ss, now);
          reference.pushed(i, ss, now);
        } else if (op < 0.75) {
          const p = pick(people);
          coverage.left(i, p);
          reference.live.get(i)?.delete(p);
        } else if (op < 0.8) {
          coverage.ended(i);
          reference.unpolled.delete(i);
          reference.unread.delete(i);
          reference.live.delete(i);
        } else if (op < 0.85) {
          coverage.failed(i);
          if (reference.live.has(i)) reference.unread.add(i);
        }
        expect(coverage.report(now), `step ${step}`).toEqual(reference.report(now));
      }
    });

  it('reads the same times after weeks of polls (the kept times moved to a new base)', () => {
    const coverage = new CoverageTracker(FRESH);
    const reference = new Reference();
    for (let day = 0; day < 30; day++) {
      const now = T + day * 86_400_000 + 0.5;
      const ss = [sample('a', 'p1', now - 1_000)];
      coverage.pushed('a', ss, now);
      reference.pushed('a', ss, now);
      expect(coverage.report(now + 60_000)).toEqual(reference.report(now + 60_000));
    }
  });
});

describe('coverage of an instance whose poll failed', () => {
  it('counts its participants as uncovered until a poll answers (a cycle that read nothing said 100%)', () => {
    const c = new CoverageTracker(FRESH);
    c.present('m1', ['p1', 'p2'], T);
    c.samples('m1', [sample('m1', 'p1', T - 1_000), sample('m1', 'p2', T - 1_000)]);
    c.present('m2', ['p3'], T);
    c.samples('m2', [sample('m2', 'p3', T - 1_000)]);
    expect(c.report(T).ratio).toBe(1);
    // m1's poll fails (page 2 of its QoS answer refused): its two samples are young, but unread.
    c.failed('m1');
    expect(c.report(T + 10_000)).toEqual({ live: 3, fresh: 1, ratio: 1 / 3, maxStalenessMs: 11_000 });
    c.present('m1', ['p1', 'p2'], T + 20_000);
    expect(c.report(T + 20_000).ratio).toBe(1);
    // An instance never polled is not made live by a failure: it is counted as listed.
    c.failed('m9');
    expect(c.report(T + 20_000).live).toBe(3);
  });
});

describe('coverage with nobody live', () => {
  it('is n/a (null), not 100%: there is nothing to cover', () => {
    const c = new CoverageTracker(FRESH);
    expect(c.report(T)).toEqual({ live: 0, fresh: 0, ratio: null, maxStalenessMs: 0 });
    c.listed('m1', 0, T); // discovered with nobody in it yet
    expect(c.report(T).ratio).toBeNull();
  });
});
