import { describe, expect, it } from 'vitest';
import { ContextCache, type ListWant } from '../../src/poll/context-cache.js';

const MIN = 60_000;
const want = (refreshMs: number): ListWant => ({ keys: ['16778240'], refreshMs });
const I = 'meeting:abc==';

describe('when the participants list is read again', () => {
  it('a refresh due within a tenth of its interval is made at this poll, not the next', () => {
    const c = new ContextCache();
    c.store(I, new Map([['16778240', { role: 'host' }]]), want(5 * MIN), 0);
    expect(c.due(I, want(5 * MIN), 4 * MIN)).toBe(false);
    // The next poll a few hundred ms short of 5 minutes (its QoS calls took less time this time).
    expect(c.due(I, want(5 * MIN), 5 * MIN - 400)).toBe(true);
    expect(c.stale(I, 5 * MIN, 5 * MIN - 400)).toBe(true);
    expect(c.due(I, want(2 * MIN), 2 * MIN - 400)).toBe(true);
    expect(c.due(I, want(2 * MIN), 1.5 * MIN)).toBe(false);
  });

  it('after a failed read, not before a backoff that doubles (1, 2, 4 min), capped by the refresh', () => {
    const c = new ContextCache();
    expect(c.due(I, want(30 * MIN), 0)).toBe(true);
    expect(c.failed(I, 0)).toBe(1);
    expect(c.due(I, want(30 * MIN), 30_000)).toBe(false);
    expect(c.due(I, want(30 * MIN), MIN)).toBe(true);
    expect(c.failed(I, MIN)).toBe(2);
    expect(c.due(I, want(30 * MIN), 2 * MIN)).toBe(false);
    expect(c.due(I, want(30 * MIN), 3 * MIN)).toBe(true);
    expect(c.failed(I, 3 * MIN)).toBe(3);
    expect(c.due(I, want(30 * MIN), 6 * MIN)).toBe(false);
    expect(c.due(I, want(30 * MIN), 7 * MIN)).toBe(true);
    // A 2-minute refresh caps the backoff at 2 minutes.
    for (let i = 0; i < 6; i++) c.failed(I, 7 * MIN);
    expect(c.due(I, want(2 * MIN), 9 * MIN)).toBe(true);
    // A good read ends the run of failures.
    expect(c.failuresOf(I)).toBe(9);
    c.store(I, new Map(), want(30 * MIN), 9 * MIN);
    expect(c.failuresOf(I)).toBe(0);
  });
});

describe('a join the participants list does not give', () => {
  it('is asked for again after a backoff, not at every poll, and reported absent once', () => {
    const c = new ContextCache();
    const w: ListWant = { keys: ['16778240', '16779264'], refreshMs: 30 * MIN };
    // The list lags behind the QoS answer: the second join is not in it yet.
    expect(c.store(I, new Map([['16778240', { role: 'host' }]]), w, 0)).toEqual(['16779264']);
    expect(c.get(I, ['16779264'])).toEqual({});
    expect(c.due(I, w, 30_000)).toBe(false);
    expect(c.due(I, w, MIN)).toBe(true);
    // Still absent at the next read: not reported again, and the wait doubles.
    expect(c.store(I, new Map([['16778240', { role: 'host' }]]), w, MIN)).toEqual([]);
    expect(c.due(I, w, 2 * MIN)).toBe(false);
    expect(c.due(I, w, 3 * MIN)).toBe(true);
    // Listed at last: its fields are there, and nothing is due before the refresh.
    c.store(I, new Map([['16779264', { role: 'attendee' }]]), w, 3 * MIN);
    expect(c.get(I, ['16779264'])).toEqual({ role: 'attendee' });
    expect(c.get(I, ['16778240'])).toEqual({ role: 'host' });
    expect(c.due(I, w, 20 * MIN)).toBe(false);
    expect(c.due(I, w, 33 * MIN)).toBe(true);
  });
});

describe('a meeting that runs all day', () => {
  it('keeps the context of the joins its QoS answer lists, not of everyone who ever joined', () => {
    const c = new ContextCache();
    // A join every minute, listed by the QoS answer for 5 minutes; the list read each minute.
    for (let m = 0; m < 120; m++) {
      const listed = Array.from({ length: 5 }, (_, i) => m - i).filter((k) => k >= 0);
      const keys = listed.flatMap((k) => [`user_id:${k}`, `participant_uuid:P${k}`]);
      const w: ListWant = {
        keys: listed.map((k) => `user_id:${k}`),
        refreshMs: MIN,
        leftKeys: [`user_id:${m - 4}`],
      };
      c.store(I, new Map(keys.map((k) => [k, { role: 'attendee' }])), w, m * MIN);
      c.retain(I, () => new Set(keys));
      expect(c.get(I, [`user_id:${m}`])).toEqual({ role: 'attendee' });
    }
    expect(c.sizeOf(I)).toBeLessThanOrEqual(5 * 2 + 1);
    // Nobody listed any more: nothing kept.
    c.retain(I, () => new Set());
    expect(c.sizeOf(I)).toBe(0);
  });
});
