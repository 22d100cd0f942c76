import { describe, expect, it } from 'vitest';
import { SampleDeduplicator } from '../../src/normalize/dedup.js';
import type { QosSample } from '../../src/normalize/sample.js';
import {
  attachNumbers,
  JOIN_ROOM,
  numbersAt,
  numbersChunk,
  numbersOf,
} from '../../src/normalize/sample-numbers.js';
import { MIN, sample, T, type SampleExtra } from '../helpers/rules.js';

/** A sample as the normalizer hands it on: with its numbers (and room for its join's row and version). */
function at(p: string, m: number, extra: SampleExtra = {}): QosSample {
  const s = sample(p, m, { audio_input: { latency: 0.1 } }, extra);
  if (extra.participant) s.participant = extra.participant; // sample() names the participant after its key
  attachNumbers(s, numbersOf(s));
  return s;
}

/** The join row and version the de-duplicator gave `s` ([-1, -1]: none). */
function joinOf(s: QosSample): [number, number] {
  const c = numbersChunk(s)!;
  const i = numbersAt(s) - JOIN_ROOM;
  return [c[i]!, c[i + 1]!];
}

describe('join versions (issue 16: the engine takes a join again only when it changed)', () => {
  it('a sample handed on carries its join row, and a version that changes only with its context, instance or texts', () => {
    const d = new SampleDeduplicator(3 * 60 * MIN);
    const [a1, b1] = [at('a', 1), at('b', 1)];
    d.filter([a1, b1], T + MIN);
    const [ra, va] = joinOf(a1);
    const [rb, vb] = joinOf(b1);
    expect(ra).toBeGreaterThanOrEqual(0);
    expect(rb).not.toBe(ra);
    expect(vb).not.toBe(va);
    // Each minute brings new objects with the same fields: the same version.
    const a2 = at('a', 2);
    d.filter([a2], T + 2 * MIN);
    expect(joinOf(a2)).toEqual([ra, va]);
    // Each change of what rules read of the join besides its values: a new version, kept after.
    const changed: [string, SampleExtra][] = [
      ['data center', { dc: 'NY' }],
      ['a context field more', { dc: 'NY', context: { recording: 'true' } }],
      [
        'name',
        {
          dc: 'NY',
          context: { recording: 'true' },
          participant: { key: 'a', name: 'Rea', email: 'a@example.com', ip: '' },
        },
      ],
      [
        'e-mail',
        {
          dc: 'NY',
          context: { recording: 'true' },
          participant: { key: 'a', name: 'Rea', email: 'r@example.com', ip: '' },
        },
      ],
      [
        'label',
        {
          dc: 'NY',
          context: { recording: 'true' },
          participant: { key: 'a', name: 'Rea', email: 'r@example.com', ip: '', label: 'Rea (2)' },
        },
      ],
    ];
    let m = 3;
    let version = va;
    for (const [what, extra] of changed) {
      const s = at('a', m++, extra);
      d.filter([s], T + m * MIN);
      expect(joinOf(s)[0], what).toBe(ra);
      expect(joinOf(s)[1], what).not.toBe(version);
      version = joinOf(s)[1];
      const again = at('a', m++, extra);
      d.filter([again], T + m * MIN);
      expect(joinOf(again), `${what}, again`).toEqual([ra, version]);
    }
    const topic = {
      ...at('a', m),
      instance: { kind: 'meeting' as const, id: 'm1', uuid: 'm1', topic: 'Renamed' },
    };
    attachNumbers(topic, numbersOf(topic));
    d.filter([topic], T + m * MIN);
    expect(joinOf(topic)[1]).not.toBe(version);
  });

  it('a repeat, a late minute and a refined minute carry none', () => {
    const d = new SampleDeduplicator(3 * 60 * MIN);
    d.filter([at('a', 2)], T + 2 * MIN);
    const [repeat, late] = [at('a', 2), at('a', 1)];
    const refined = sample('a', 2, { video_input: { latency: 0.1 } });
    attachNumbers(refined, numbersOf(refined));
    const out = d.filter([repeat, late, refined], T + 2 * MIN);
    expect(out).toEqual([refined]);
    for (const s of [repeat, late, refined]) expect(joinOf(s)).toEqual([-1, -1]);
  });

  it('a row taken by another join, or a join quiet for 10 minutes, gets a version never given before', () => {
    const d = new SampleDeduplicator(20 * MIN);
    const a1 = at('a', 1);
    d.filter([a1], T + MIN);
    const [ra, va] = joinOf(a1);
    // b at minute 15: a is quiet (a new version for its next sample); at 30 a is forgotten and c takes its row.
    d.filter([at('b', 15)], T + 15 * MIN);
    const a16 = at('a', 16);
    d.filter([a16], T + 16 * MIN);
    expect(joinOf(a16)[0]).toBe(ra);
    expect(joinOf(a16)[1]).not.toBe(va);
    d.filter([at('b', 40)], T + 40 * MIN);
    const c = at('c', 41, { participant: { key: 'c', name: 'A', email: 'a@example.com', ip: '' } });
    d.filter([c], T + 41 * MIN);
    expect(joinOf(c)[0]).toBe(ra);
    expect([va, joinOf(a16)[1]]).not.toContain(joinOf(c)[1]);
  });
});
