import { describe, expect, it } from 'vitest';
import { joinSeen, JoinTracker, REJOIN_GRACE_MS } from '../../src/poll/joins.js';

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

  it('keeps a link and a device apart only for rejoins: a join under its own key costs no entry of its own', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    const people = Array.from({ length: 50 }, (_, i) => ({ join: `j${i}`, person: `u${i}`, joinTime: T }));
    t.observe('m', people, T + MIN);
    for (const p of people) expect(t.device('m', p.join, `${p.join}'s Mac`)).toBe(`${p.join}'s Mac`);
    expect(t.device('m', 'j1', 'Phone')).toBe("j1's Mac"); // the first device known stays
    expect(t.joinEntriesOf('m')).toBe(0);
    // j0 leaves and rejoins as r0: linked to j0's key; pushed and polled lookups agree.
    t.observe('m', [{ ...people[0]!, leaveTime: T + 2 * MIN }, ...people.slice(1)], T + 2 * MIN);
    const r = t.observe(
      'm',
      [
        { ...people[0]!, leaveTime: T + 2 * MIN },
        { join: 'r0', person: 'u0', joinTime: T + 3 * MIN },
        ...people.slice(1),
      ],
      T + 3 * MIN,
    );
    expect(r.keyOf.get('r0')).toBe('j0');
    expect(t.device('m', 'r0', 'iPad')).toBe('iPad');
    expect(t.device('m', 'r0', 'Phone')).toBe('iPad');
    expect(t.device('m', 'j0', undefined)).toBe("j0's Mac");
    expect(t.joinEntriesOf('m')).toBe(2);
    expect(t.linkPushed('m', { join: 'r0', person: 'u0', joinTime: T + 3 * MIN }).key).toBe('j0');
    expect(t.linkPushed('m', { join: 'j7', person: 'u7', joinTime: T }).key).toBe('j7');
    expect(t.leftPushed('m', { join: 'j9', person: 'u9', joinTime: T }, T + 4 * MIN).key).toBe('j9');
    expect(t.joinEntriesOf('m')).toBe(2);
  });

  it('forgets a key reported left once the answer no longer lists it: a long meeting keeps only its live people', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    const stay = { join: 's', person: 'u0', joinTime: T };
    // A person and a guest come and go every minute for an hour; Zoom lists each for a few
    // minutes after they leave, then no more.
    for (let m = 1; m <= 60; m++) {
      const gone = (k: number): { join: string; person?: string; joinTime: number; leaveTime: number }[] =>
        k < 1 || k < m - 4
          ? []
          : [
              { join: `p${k}`, person: `u${k}`, joinTime: T + (k - 1) * MIN, leaveTime: T + k * MIN },
              { join: `g${k}`, joinTime: T + (k - 1) * MIN, leaveTime: T + k * MIN },
            ];
      const listed = [stay, ...Array.from({ length: 6 }, (_, i) => gone(m - i)).flat()];
      t.observe('m', listed, T + m * MIN + 1);
    }
    // The one who stays, and the people still listed (within the rejoin grace or just left).
    expect(t.keysOf('m')).toBeLessThanOrEqual(1 + 2 * 5);
    // Everyone has left and the answer lists nobody: nothing is kept.
    t.observe('m', [{ ...stay, leaveTime: T + 61 * MIN }], T + 61 * MIN);
    t.observe('m', [{ ...stay, leaveTime: T + 61 * MIN }], T + 61 * MIN + REJOIN_GRACE_MS);
    t.observe('m', [], T + 70 * MIN);
    expect(t.keysOf('m')).toBe(0);
    // A rejoin of a person forgotten long ago is a new key, as any new join.
    expect(
      t.observe('m', [{ join: 'p61', person: 'u1', joinTime: T + 71 * MIN }], T + 72 * MIN).present,
    ).toEqual(['p61']);
  });
});

describe('JoinTracker with pushed joins (QSS: no join or leave time on the samples)', () => {
  it('links a pushed rejoin to the stay a pushed leave ended, and keeps the leave held meanwhile', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    expect(t.linkPushed('m', { join: 'a', person: 'u1', joinTime: T })).toEqual({
      key: 'a',
      multiDevice: false,
    });
    expect(t.leftPushed('m', { join: 'a', person: 'u1', joinTime: 0 }, T + 5 * MIN)).toEqual({
      key: 'a',
      left: false,
    });
    expect(t.linkPushed('m', { join: 'b', person: 'u1', joinTime: T + 6 * MIN })).toEqual({
      key: 'a',
      multiDevice: false,
    });
    // The rejoin came within the grace: the held leave is never reported.
    expect(t.dueLeaves(T + 5 * MIN + REJOIN_GRACE_MS)).toEqual([]);
  });

  it('reports a held leave once when no rejoin comes within the grace; a guest leaves at once', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    t.linkPushed('m', { join: 'a', person: 'u1', joinTime: T });
    t.linkPushed('m', { join: 'g', joinTime: T });
    expect(t.leftPushed('m', { join: 'g', joinTime: 0 }, T + MIN)).toEqual({ key: 'g', left: true });
    t.leftPushed('m', { join: 'a', person: 'u1', joinTime: 0 }, T + MIN);
    expect(t.dueLeaves(T + MIN + REJOIN_GRACE_MS - 1)).toEqual([]);
    expect(t.dueLeaves(T + MIN + REJOIN_GRACE_MS)).toEqual([{ instance: 'm', key: 'a', at: T + MIN }]);
    expect(t.dueLeaves(T + 30 * MIN)).toEqual([]);
    // Zoom's redelivery of the leave does not report it again.
    expect(t.leftPushed('m', { join: 'a', person: 'u1', joinTime: 0 }, T + MIN)).toEqual({
      key: 'a',
      left: false,
    });
  });

  it('believes a pushed leave over a lagging answer until the answer shows the join active after it', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    t.observe('m', [{ join: 'g', joinTime: T, newest: T + 4 * MIN }], T + 4 * MIN);
    expect(t.leftPushed('m', { join: 'g', joinTime: 0 }, T + 5 * MIN + 30_000)).toEqual({
      key: 'g',
      left: true,
    });
    // Zoom's answer lags: the guest listed with no leave_time, the newest sample at the leave's minute end.
    const lagging = { join: 'g', joinTime: T, newest: T + 6 * MIN };
    expect(t.observe('m', [lagging], T + 7 * MIN)).toMatchObject({ present: [], left: [] });
    expect(t.observe('m', [lagging], T + 8 * MIN)).toMatchObject({ present: [], left: [] });
    // The answer catches up: the leave is not reported again.
    const shown = { ...lagging, leaveTime: T + 5 * MIN + 30_000 };
    expect(t.observe('m', [shown], T + 9 * MIN)).toMatchObject({ present: [], left: [] });
  });

  it('takes a pushed-left join back when an answer shows a sample dated after the leave, or a new join', () => {
    for (const back of [
      { join: 'g', joinTime: T, newest: T + 7 * MIN }, // measured past the leave's minute
      { join: 'g', joinTime: T + 6 * MIN, newest: T + 6 * MIN }, // joined again under the same user_id
    ]) {
      const t = new JoinTracker(REJOIN_GRACE_MS);
      t.observe('m', [{ join: 'g', joinTime: T, newest: T + 4 * MIN }], T + 4 * MIN);
      t.leftPushed('m', { join: 'g', joinTime: 0 }, T + 5 * MIN + 30_000);
      expect(t.observe('m', [back], T + 8 * MIN).present).toEqual(['g']);
      // Back for good: a later answer without a newer sample does not end it again.
      expect(t.observe('m', [{ ...back, newest: T + 4 * MIN }], T + 9 * MIN).present).toEqual(['g']);
    }
  });

  it('keeps a second device apart when the first is not known to have left, and says both are one person', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    t.linkPushed('m', { join: 'laptop', person: 'u1', joinTime: T });
    // The laptop has not pushed for minutes (muted, camera off): without a leave it is still there.
    expect(t.linkPushed('m', { join: 'phone', person: 'u1', joinTime: T + 10 * MIN })).toEqual({
      key: 'phone',
      multiDevice: true,
    });
    expect(t.linkPushed('m', { join: 'laptop', person: 'u1', joinTime: T })).toEqual({
      key: 'laptop',
      multiDevice: true,
    });
  });

  it('does not take over a stay that ended after the new join began (a second device that outlived the first)', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    t.linkPushed('m', { join: 'a', person: 'u1', joinTime: T });
    t.leftPushed('m', { join: 'a', person: 'u1', joinTime: 0 }, T + 20 * MIN);
    expect(t.linkPushed('m', { join: 'b', person: 'u1', joinTime: T + 5 * MIN }).key).toBe('b');
  });

  it('gives a join the same key by push and by poll, whichever comes first', () => {
    const t = new JoinTracker(REJOIN_GRACE_MS);
    // Polling saw the first stay end; the rejoin is then pushed.
    t.observe('m', [{ join: 'a', person: 'u1', joinTime: T, leaveTime: T + 2 * MIN }], T + 3 * MIN);
    expect(t.linkPushed('m', { join: 'b', person: 'u1', joinTime: T + 3 * MIN }).key).toBe('a');
    // Polling takes over: the same two joins, one key.
    const r = t.observe(
      'm',
      [
        { join: 'a', person: 'u1', joinTime: T, leaveTime: T + 2 * MIN },
        { join: 'b', person: 'u1', joinTime: T + 2.5 * MIN },
      ],
      T + 6 * MIN,
    );
    expect(r.keyOf).toEqual(
      new Map([
        ['a', 'a'],
        ['b', 'a'],
      ]),
    );
    expect(r.present).toEqual(['a']);
  });

  it("reads a join's samples for its newest only when asked (a join a push said left): not for every entry of every answer", () => {
    let reads = 0;
    const raw = {
      join_time: '2026-11-20T10:00:00Z',
      leave_time: '',
      get user_qos() {
        reads++;
        return [{ date_time: '2026-11-20T10:04:00Z' }, { date_time: '2026-11-20T10:05:00Z' }];
      },
    };
    const seen = joinSeen(raw, 'g', undefined);
    // The old code parsed them in joinSeen: 31 ms a poll at 5,000 joins of 10 samples (rA43).
    expect(reads).toBe(0);
    expect(seen.newest).toBe(T + 5 * MIN);
    expect(reads).toBeGreaterThan(0);
  });
});
