import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook, hangingHookEach } from '../helpers/hanging-hook.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * The order retries after server errors (5xx) come back in, as docs/notifications.md promises
 * it: each failed notification is retried when its own backoff ends (jittered), so those of
 * different groups come in the order their backoffs end, not the order they were made (the
 * outside tester saw three 503'd groups retried newest first); what is due together goes oldest
 * first; and a group's own notifications never overtake each other. A real webhook receiver
 * (HangingHook) answers 503 to the participant in `failOn` (`*`: everyone), 200 to the others.
 */
let hook: HangingHook;
hangingHookEach('none', (h) => (hook = h));

const retry = { baseMs: 1_000, capMs: 4_000, giveUpAfterMs: 3_600_000 };

/** A random source answering `values` in turn: the jitter of each failure, in order. */
const randoms = (...values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('retries after server errors', () => {
  it('each goes when its own backoff ends: three groups failing together come back in the order their jittered backoffs end', async () => {
    hook.failOn = '*';
    const clock = new VirtualClock(Date.parse('2026-05-04T09:30:00Z'));
    const timers = new ManualTimers();
    // Jitter 1, 0.5, 0: p1 waits 1 s, p2 0.75 s, p3 0.5 s.
    const d = dispatcherTo(hook, clock, timers, { retry, random: randoms(1, 0.5, 0) });
    for (const p of ['p1', 'p2', 'p3']) d.ingest(changes(alert({ participant: p })));
    await pass(d, timers, () => hook.held);
    expect(hook.received).toHaveLength(3);
    expect(hook.delivered).toEqual([]);
    hook.failOn = '';
    for (const step of [500, 250, 250]) {
      clock.advance(step);
      await pass(d, timers, () => hook.held);
    }
    expect(hook.delivered).toEqual(['p3:firing', 'p2:firing', 'p1:firing']);
    await d.close();
  });

  it('retries due together go oldest first', async () => {
    hook.failOn = '*';
    const clock = new VirtualClock(Date.parse('2026-05-04T09:30:00Z'));
    const timers = new ManualTimers();
    const d = dispatcherTo(hook, clock, timers, { retry, random: () => 0.5 });
    for (const p of ['p1', 'p2', 'p3']) d.ingest(changes(alert({ participant: p })));
    await pass(d, timers, () => hook.held);
    hook.failOn = '';
    clock.advance(1_000);
    await pass(d, timers, () => hook.held);
    expect(hook.delivered).toEqual(['p1:firing', 'p2:firing', 'p3:firing']);
    await d.close();
  });

  it("a group's resolve waits behind its firing message being retried, however soon the resolve is due", async () => {
    hook.failOn = 'p1';
    const clock = new VirtualClock(Date.parse('2026-05-04T09:30:00Z'));
    const timers = new ManualTimers();
    const d = dispatcherTo(hook, clock, timers, { retry: { ...retry, baseMs: 120_000, capMs: 120_000 } });
    d.ingest(changes(alert({ participant: 'p1' }), alert({ participant: 'p2' })));
    await pass(d, timers, () => hook.held);
    expect(hook.delivered).toEqual(['p2:firing']);
    // The resolve is due after the group interval (60 s); the firing message's retry after 120 s.
    d.ingest(changes(alert({ participant: 'p1', state: 'resolved' })));
    hook.failOn = '';
    clock.advance(60_000);
    await pass(d, timers, () => hook.held);
    expect(hook.delivered).toEqual(['p2:firing']);
    clock.advance(60_000);
    await pass(d, timers, () => hook.held);
    expect(hook.delivered).toEqual(['p2:firing', 'p1:firing', 'p1:resolved']);
    await d.close();
  });
});
