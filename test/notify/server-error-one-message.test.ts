import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook, hangingHookEach } from '../helpers/hanging-hook.js';
import { captureLog } from '../helpers/log.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * One message refused by the receiver while the others go through: a 5xx on it alone (retried,
 * the others not held back), and permanent refusals (4xx, dropped) and how often the log says
 * so. A real webhook receiver (HangingHook) that answers `failStatus` to the participant in
 * `failOn` and 200 to the others.
 */
let hook: HangingHook;
hangingHookEach('none', (h) => (hook = h));

const MIN = 60_000;
const warnings = (lines: { level: number; msg: string }[]): string[] =>
  lines.filter((l) => l.level === 40).map((l) => l.msg);

describe('one message failing while the others deliver', () => {
  it('a 5xx on one message: the others go out in the same pass, it is retried on its own and goes out once the server takes it', async () => {
    hook.failOn = 'p2';
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const { log, lines } = captureLog();
    const d = dispatcherTo(hook, clock, timers, {
      log,
      retry: { baseMs: 1_000, capMs: 4_000, giveUpAfterMs: 24 * 60 * MIN },
    });
    for (const p of ['p1', 'p2', 'p3']) d.ingest(changes(alert({ participant: p })));
    expect(await pass(d, timers, () => hook.held)).toBe(0);
    expect(hook.delivered).toEqual(['p1:firing', 'p3:firing']);
    expect(d.outboxDepth).toBe(1);
    expect(d.outboxByNotifier()[0]).toMatchObject({ queued: 1, backingOff: false });
    expect(d.stats.failed.get('hook')).toEqual(new Map([['NOTIFY_SERVER_ERROR', 1]]));

    // Later notifications are not held back by it either.
    d.ingest(changes(alert({ participant: 'p4' })));
    expect(await pass(d, timers, () => hook.held)).toBe(0);
    expect(hook.delivered.at(-1)).toBe('p4:firing');

    clock.advance(4_000);
    expect(await pass(d, timers, () => hook.held)).toBe(0); // still 503
    hook.failOn = '';
    clock.advance(4_000);
    expect(await pass(d, timers, () => hook.held)).toBe(0);
    expect(hook.delivered).toEqual(['p1:firing', 'p3:firing', 'p4:firing', 'p2:firing']);
    expect(d.outboxDepth).toBe(0);
    expect(d.stats.failed.get('hook')).toEqual(new Map([['NOTIFY_SERVER_ERROR', 2]]));
    expect(warnings(lines)).toEqual([
      'hook: delivery failed, will retry; its other notifications go on meanwhile: hook: server error (HTTP 503)',
    ]);
    expect(lines.filter((l) => /delivering again/.test(l.msg))).toEqual([]); // it was never down
    await d.close();
  });

  it('permanent refusals (4xx): each dropped, counted and said; a line at the first, then at most every 15 minutes, with the drops in between (review, stop 38)', async () => {
    hook.failOn = '*';
    hook.failStatus = 400;
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const { log, lines } = captureLog();
    const d = dispatcherTo(hook, clock, timers, { log });
    const logged: number[] = []; // warnings so far, after each drop
    let at = 0;
    for (const [i, minute] of [0, 5, 9, 16, 20].entries()) {
      clock.advance((minute - at) * MIN);
      at = minute;
      d.ingest(changes(alert({ participant: `p${i}` })));
      expect(await pass(d, timers, () => hook.held)).toBe(0);
      logged.push(warnings(lines).length);
    }
    expect(d.outboxDepth).toBe(0);
    expect(hook.received).toHaveLength(5);
    expect(d.stats.failed.get('hook')).toEqual(new Map([['NOTIFY_REJECTED', 5]]));
    // At 0 and 16 min; not at 5 and 9 (within 15 min of the first) nor 20 (of the second).
    expect(logged).toEqual([1, 1, 1, 2, 2]);
    // The one at 20 min is said once 15 min have passed since the last line, with no drop after it
    // (the old code said it nowhere, nor those at 5 and 9 min: only the metric counted them).
    expect(d.nextDueAt()).toBeLessThanOrEqual(NOW + 31 * MIN);
    clock.advance(11 * MIN);
    await pass(d, timers, () => hook.held);
    const said = lines.filter((l) => l.level === 40);
    expect(said.map((l) => [l.dropped, l.since])).toEqual([
      [1, new Date(NOW).toISOString()],
      [3, new Date(NOW + 5 * MIN).toISOString()],
      [1, new Date(NOW + 20 * MIN).toISOString()],
    ]);
    expect(said.map((l) => l.msg)).toEqual([
      'hook: notification dropped: hook: rejected (HTTP 400). What it told: [firing] p0 has 450 ms audio latency in "Weekly sync"',
      `hook: 3 notifications dropped since ${new Date(NOW + 5 * MIN).toISOString()}: hook: rejected (HTTP 400). What they told: ` +
        ['p1', 'p2', 'p3'].map((p) => `[firing] ${p} has 450 ms audio latency in "Weekly sync"`).join(' | '),
      expect.stringMatching(/^hook: notification dropped since \S+: hook: .*HTTP 400.*\[firing\] p4 has/),
    ]);
    await d.close();
  });

  it('a delivery ends a run of drops: what it held back is said then, and the next drop at once, even within 15 minutes of the last warning', async () => {
    hook.failStatus = 400;
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const { log, lines } = captureLog();
    const d = dispatcherTo(hook, clock, timers, { log });
    const logged: number[] = []; // warnings so far, after each notification
    let at = 0;
    // Refused at 0 and 2 min, delivered at 4, refused at 6 and 8, delivered at 10, refused at 12.
    for (const [i, [minute, refused]] of (
      [
        [0, true],
        [2, true],
        [4, false],
        [6, true],
        [8, true],
        [10, false],
        [12, true],
      ] as const
    ).entries()) {
      clock.advance((minute - at) * MIN);
      at = minute;
      hook.failOn = refused ? '*' : '';
      d.ingest(changes(alert({ participant: `p${i}` })));
      expect(await pass(d, timers, () => hook.held)).toBe(0);
      logged.push(warnings(lines).length);
    }
    expect(hook.delivered).toEqual(['p2:firing', 'p5:firing']);
    expect(d.stats.failed.get('hook')).toEqual(new Map([['NOTIFY_REJECTED', 5]]));
    // A new run after each delivery is logged at its first drop (0, 6 and 12 min); its later drops
    // (2 and 8 min) are said when the delivery ends the run (the old code never said them).
    expect(logged).toEqual([1, 1, 2, 3, 3, 4, 5]);
    const said = lines.filter((l) => l.level === 40);
    expect(said.map((l) => l.dropped)).toEqual([1, 1, 1, 1, 1]);
    expect(said.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^hook: notification dropped: hook: .*HTTP 400/),
      expect.stringMatching(/^hook: notification dropped since \S+: hook: .*HTTP 400/),
      expect.stringMatching(/^hook: notification dropped: hook: .*HTTP 400/),
      expect.stringMatching(/^hook: notification dropped since \S+: hook: .*HTTP 400/),
      expect.stringMatching(/^hook: notification dropped: hook: .*HTTP 400/),
    ]);
    await d.close();
  });
});
