import { describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook, hangingHookEach } from '../helpers/hanging-hook.js';
import { captureLog, type LogLine } from '../helpers/log.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * What the log says of a notifier with one notification that always times out, passed over
 * after 3 failures while the others go through (outside tester, stop 30, with `retry_max: 4s`:
 * "delivering again" 5 times in 45 s, and "its other notifications wait with it" while they did
 * not). A real webhook that never answers for `hangOn`; the send timeouts fired by hand.
 */
let hook: HangingHook;
hangingHookEach('p1', (h) => (hook = h));

const RETRY_MAX = 4_000;

/**
 * p1 fails twice (the notifier waits as a whole), then for 40 s, every 4 s, a pass in which it
 * fails again: every other pass a new group comes and goes through past it, in between p1 is
 * alone (the notifier waits again). Returns the log and the dispatcher.
 */
async function stuckFor40s(): Promise<{
  d: Dispatcher;
  lines: LogLine[];
  timers: ManualTimers;
  clock: VirtualClock;
}> {
  const clock = new VirtualClock(NOW);
  const timers = new ManualTimers();
  const { log, lines } = captureLog();
  const d = dispatcherTo(hook, clock, timers, {
    log,
    retry: { baseMs: 1_000, capMs: RETRY_MAX, giveUpAfterMs: 24 * 3_600_000 },
  });
  d.ingest(changes(alert({ participant: 'p1' })));
  expect(await pass(d, timers, () => hook.held)).toBe(1);
  clock.advance(RETRY_MAX);
  expect(await pass(d, timers, () => hook.held)).toBe(1);
  for (let i = 2; i <= 11; i++) {
    if (i % 2 === 0) d.ingest(changes(alert({ participant: `p${i}` })));
    clock.advance(RETRY_MAX);
    expect(await pass(d, timers, () => hook.held)).toBe(1);
    // The metric still says when the notifier waits as a whole: with p1 alone, it does.
    expect(d.outboxByNotifier()[0]!.backingOff).toBe(i % 2 === 1);
  }
  expect(hook.delivered).toEqual(['p2', 'p4', 'p6', 'p8', 'p10'].map((p) => `${p}:firing`));
  expect(d.outboxDepth).toBe(1);
  return { d, lines, timers, clock };
}

const again = (lines: LogLine[]): LogLine[] => lines.filter((l) => /delivering again/.test(l.msg));
const warnings = (lines: LogLine[]): string[] =>
  lines.filter((l) => l.level === 40).map((l) => l.msg.replace(/: hook: no answer.*/, ''));

describe('a notifier with one notification stuck', () => {
  it('says "delivering again" once, when the stuck one goes out, not at each group delivered past it', async () => {
    const { d, lines, timers, clock } = await stuckFor40s();
    expect(again(lines)).toEqual([]);

    hook.hangOn = 'none';
    clock.advance(RETRY_MAX);
    expect(await pass(d, timers, () => hook.held)).toBe(0);
    expect(hook.delivered.at(-1)).toBe('p1:firing');
    expect(again(lines)).toMatchObject([
      {
        level: 30,
        receiver: 'hook',
        downForMs: 12 * RETRY_MAX,
        waiting: 0,
        msg: 'hook: delivering again, after 48 s backing off; 0 more notifications to send',
      },
    ]);

    // Down again: the new outage's first failure is logged at once.
    hook.hangOn = '*';
    d.ingest(changes(alert({ participant: 'p12' })));
    expect(await pass(d, timers, () => hook.held)).toBe(1);
    expect(warnings(lines).at(-1)).toBe(
      'hook: delivery failed, will retry; its other notifications wait with it',
    );
    await d.close();
  });

  it('says its other notifications wait with it while they do, and that they go on without it once it is passed over', async () => {
    const { d, lines } = await stuckFor40s();
    expect(warnings(lines)).toEqual([
      'hook: delivery failed, will retry; its other notifications wait with it',
      'hook: one notification failed 3 times in a row and is retried on its own; its other notifications go on without it unless they fail too',
    ]);
    await d.close();
  });
});
