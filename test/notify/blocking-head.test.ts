import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook, hangingHookEach } from '../helpers/hanging-hook.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * One notification that always times out must not hold its notifier's others until it expires
 * (note 29, LOW: a webhook that hangs on one notification only; the outbox retried it first on
 * every pass and the whole notifier waited with it, 24 h by default). After it has failed 3
 * times in a row, a pass tries the next-oldest group once: if that goes through, the notifier
 * works and the rest follow; a group's own notifications still wait for its oldest.
 */
let hook: HangingHook;
hangingHookEach('p1', (h) => (hook = h));

describe('a notification that always times out', () => {
  it('holds the notifier for 3 attempts, then lets the other groups go; its own group waits; a notifier down for all costs 2 attempts a pass', async () => {
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const d = dispatcherTo(hook, clock, timers);
    const attempts = (): number => d.stats.failed.get('hook')?.get('NOTIFY_TIMEOUT') ?? 0;

    d.ingest(changes(alert({ participant: 'p1' })));
    expect(await pass(d, timers, () => hook.held)).toBe(1);
    d.ingest(['p2', 'p3', 'p4'].flatMap((p) => changes(alert({ participant: p }))));
    clock.advance(60_000);
    // Second failure of the same head: the notifier still waits as a whole.
    expect(await pass(d, timers, () => hook.held)).toBe(1);
    expect(hook.delivered).toEqual([]);
    clock.advance(60_000);
    // Third: the next-oldest group is tried once, goes through, and the rest follow.
    expect(await pass(d, timers, () => hook.held)).toBe(1);
    expect(hook.delivered).toEqual(['p2:firing', 'p3:firing', 'p4:firing']);
    expect(d.outboxDepth).toBe(1);

    // p1's resolve waits for p1's firing message; other groups' notifications do not.
    d.ingest(changes(alert({ participant: 'p1', state: 'resolved' }), alert({ participant: 'p5' })));
    clock.advance(60_000);
    expect(await pass(d, timers, () => hook.held)).toBe(1);
    expect(hook.delivered.slice(3)).toEqual(['p5:firing']);
    expect(d.outboxDepth).toBe(2);

    // Down for everything: the head and one probe a pass, not every group in turn.
    hook.hangOn = '*';
    d.ingest(['p6', 'p7', 'p8'].flatMap((p) => changes(alert({ participant: p }))));
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      expect(await pass(d, timers, () => hook.held)).toBe(2);
    }
    expect(attempts()).toBe(4 + 8);
    expect(d.outboxDepth).toBe(5);

    // Back up: everything goes, p1's firing before its resolve.
    hook.hangOn = 'none';
    clock.advance(60_000);
    expect(await pass(d, timers, () => hook.held)).toBe(0);
    expect(hook.delivered.slice(4)).toEqual([
      'p1:firing',
      'p1:resolved',
      'p6:firing',
      'p7:firing',
      'p8:firing',
    ]);
    expect(d.outboxDepth).toBe(0);
    await d.close();
  });
});
