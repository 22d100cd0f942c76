import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook } from '../helpers/hanging-hook.js';
import { captureLog, type LogLine } from '../helpers/log.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * "delivering again, after N" counts N from the outage's start, across a restart too (outside
 * tester, stop 31, L4: it counted from the restart). The outage's start is saved in notify.json
 * with the outbox. A real webhook that never answers while `hangOn` is `*`; the send timeouts
 * fired by hand; two dispatchers, one after the other, over the same state dir.
 */
let hook: HangingHook;
beforeEach(async () => {
  hook = new HangingHook();
  hook.hangOn = '*';
  await hook.listen();
});
afterEach(async () => hook.close());

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
});
