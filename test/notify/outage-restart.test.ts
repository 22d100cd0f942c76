import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook, hangingHookEach } from '../helpers/hanging-hook.js';
import { captureLog, type LogLine } from '../helpers/log.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * "delivering again, after N" counts N from the outage's start, across a restart too (outside
 * tester, stop 31, L4: it counted from the restart). The outage's start is saved in notify.json
 * with the outbox. A real webhook that never answers while `hangOn` is `*`; the send timeouts
 * fired by hand; two dispatchers, one after the other, over the same state dir.
 */
let hook: HangingHook;
hangingHookEach('*', (h) => (hook = h));

const MIN = 60_000;
const again = (lines: LogLine[]): LogLine[] => lines.filter((l) => /delivering again/.test(l.msg));

describe('an outage across a restart', () => {
  it('says "delivering again" with the time since the outage began, not since the restart', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'qw-outage-'));
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const { log, lines } = captureLog();
    const run = (): Dispatcher =>
      dispatcherTo(hook, clock, timers, { log, store: new NotifyStore(stateDir) });

    const d1 = run();
    d1.ingest(changes(alert({ participant: 'p1' })));
    expect(await pass(d1, timers, () => hook.held)).toBe(1); // the outage begins
    clock.advance(10 * MIN);
    expect(await pass(d1, timers, () => hook.held)).toBe(1);
    await d1.close();

    clock.advance(5 * MIN); // stopped for 5 minutes
    const d2 = run();
    d2.seed([alert({ participant: 'p1' })]);
    expect(await pass(d2, timers, () => hook.held)).toBe(1); // still down
    clock.advance(5 * MIN);
    hook.hangOn = 'none';
    expect(await pass(d2, timers, () => hook.held)).toBe(0);
    expect(hook.delivered).toEqual(['p1:firing']);
    expect(again(lines)).toMatchObject([
      {
        downForMs: 20 * MIN, // old code: 5 min, from the first failure after the restart
        msg: 'hook: delivering again, after 20 min backing off; 0 more notifications to send',
      },
    ]);
    await d2.close();
  });

  it('keeps, across a restart, which notifications keep the outage going: one that went through before a stuck one does not end it', async () => {
    // p0 fails with 503 (a server error: the others go on), p1 never answers and is passed over
    // after 3 timeouts. After the restart p0 goes through first while p1 still hangs: the
    // outage is not over. Old code: "delivering again" there (which notifications last failed
    // as down was in memory only), then a new outage from that moment, and at the end a
    // second "delivering again" giving 4 s instead of the whole outage.
    hook.hangOn = 'p1';
    hook.failOn = 'p0';
    const stateDir = mkdtempSync(join(tmpdir(), 'qw-outage-'));
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const { log, lines } = captureLog();
    const retry = { baseMs: 1_000, capMs: 4_000, giveUpAfterMs: 24 * 60 * MIN };
    // As the daemon does: the store knows the time at start-up, and everything is due at once.
    const run = (): Dispatcher =>
      dispatcherTo(hook, clock, timers, {
        log,
        retry,
        store: new NotifyStore(stateDir, undefined, clock.now()),
      });

    const d1 = run();
    d1.ingest(changes(alert({ participant: 'p0' })));
    d1.ingest(changes(alert({ participant: 'p1' })));
    for (let i = 0; i < 3; i++) {
      expect(await pass(d1, timers, () => hook.held)).toBe(1);
      clock.advance(4_000);
    }
    expect(hook.delivered).toEqual([]);
    await d1.close();

    clock.advance(5 * MIN); // stopped for 5 minutes
    hook.failOn = '';
    const d2 = run();
    d2.seed([alert({ participant: 'p0' }), alert({ participant: 'p1' })]);
    expect(await pass(d2, timers, () => hook.held)).toBe(1); // p0 goes through, p1 still hangs
    expect(hook.delivered).toEqual(['p0:firing']);
    expect(again(lines)).toEqual([]); // old code: "delivering again, after 5 min backing off"

    clock.advance(4_000);
    hook.hangOn = 'none';
    expect(await pass(d2, timers, () => hook.held)).toBe(0);
    expect(hook.delivered).toEqual(['p0:firing', 'p1:firing']);
    expect(again(lines)).toMatchObject([
      {
        downForMs: 5 * MIN + 16_000, // 12 s before the stop, 5 min stopped, 4 s after
        msg: 'hook: delivering again, after 5 min backing off; 0 more notifications to send',
      },
    ]);
    await d2.close();
  });
});
