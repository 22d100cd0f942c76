import { describe, expect, it } from 'vitest';
import { JoinTracker, REJOIN_GRACE_MS } from '../../src/poll/joins.js';

const MIN = 60_000;
const T = Date.parse('2026-11-20T10:00:00Z');

describe('JoinTracker', () => {
  it('gives a rejoin of a signed-in person the key of the stay it replaces', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    t.observe('m', [{ join: 'a', person: 'u1', joinTime: T }], T + MIN);
    const r = t.observe(
      'm',
      [
        { join: 'a', person: 'u1', joinTime: T, leaveTime: T + 2 * MIN },
        { join: 'b', person: 'u1', joinTime: T + 3 * MIN },
      ],
      T + 4 * MIN,
    );
    expect(r.keyOf).toEqual(
      new Map([
        ['a', 'a'],
        ['b', 'a'],
      ]),
    );
    expect(r.present).toEqual(['a']);
    expect(r.left).toEqual([]);
  });

  it('holds a signed-in leave for the grace, then reports it once', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    const gone = [{ join: 'a', person: 'u1', joinTime: T, leaveTime: T + MIN }];
    expect(t.observe('m', gone, T + 2 * MIN)).toMatchObject({ present: ['a'], left: [] });
    expect(t.observe('m', gone, T + MIN + REJOIN_GRACE_MS)).toMatchObject({ present: [], left: ['a'] });
    expect(t.observe('m', gone, T + 9 * MIN)).toMatchObject({ present: [], left: [] });
  });

  it('keeps two devices present at once apart, and marks both as one person on two devices', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    const r = t.observe(
      'm',
      [
        { join: 'laptop', person: 'u1', joinTime: T },
        { join: 'phone', person: 'u1', joinTime: T + MIN },
        { join: 'other', person: 'u2', joinTime: T },
      ],
      T + 2 * MIN,
    );
    expect([...r.keyOf.values()]).toEqual(['laptop', 'other', 'phone']);
    expect(r.multiDevice).toEqual(new Set(['laptop', 'phone']));
  });

  it('makes every join of a guest new, and reports its leave at once', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    const r = t.observe(
      'm',
      [
        { join: 'g1', joinTime: T, leaveTime: T + MIN },
        { join: 'g2', joinTime: T + 2 * MIN },
      ],
      T + 2 * MIN,
    );
    expect([...r.keyOf.values()]).toEqual(['g1', 'g2']);
    expect(r.left).toEqual(['g1']);
    expect(r.present).toEqual(['g2']);
  });

  it('keeps instances apart', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    t.observe('m1', [{ join: 'a', person: 'u1', joinTime: T, leaveTime: T + MIN }], T + MIN);
    const r = t.observe('m2', [{ join: 'b', person: 'u1', joinTime: T + MIN }], T + MIN);
    expect(r.keyOf.get('b')).toBe('b');
  });
});
