import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook } from '../helpers/hanging-hook.js';
import { ManualTimers } from '../helpers/manual-timers.js';

/**
 * A clock that says when it was read too often: a loop that never sleeps for real reads it
 * without end, and then stops with this error instead of hanging the test worker (a loop of
 * promises only never lets a timer run, so no test timeout could end it).
 */
class CountingClock extends VirtualClock {
  reads = 0;
  override now(): number {
    if (++this.reads > 100_000) throw new Error('the clock was read 100,000 times: a loop that does not end');
    return super.now();
  }
}

let hook: HangingHook;
beforeEach(async () => {
  hook = new HangingHook();
  await hook.listen();
});
afterEach(() => hook.close());

describe('the dispatcher at a stop whose grace ran out', () => {
  it('ends when calls are aborted before it is told to stop, with a notification due: nothing sent, nothing lost', async () => {
    // The daemon stops the dispatcher only after the poll loop ended; calls are aborted at the
    // end of the grace, which can come first (a poll call still in flight). With a notification
    // due, each round started a lane that ended at once, and its end woke the next round at
    // once: the process hung after SIGTERM at 25-40% CPU, a second SIGTERM unheard (outside
    // tester, stop 34, HIGH: 2 of ~110 stops with a receiver answering 500).
    const clock = new CountingClock(NOW);
    const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-stop-calls-')));
    const d = dispatcherTo(hook, clock, new ManualTimers(), { store });
    d.ingest(changes(alert({ participant: 'ann' })));
    const stop = new AbortController();
    const calls = new AbortController();
    calls.abort(new Error('shutdown timeout'));
    await d.run(stop.signal, calls.signal);
    expect(hook.received).toHaveLength(0);
    expect(hook.held).toBe(0);
    // What could not be sent stays queued for the next start.
    d.flushAll();
    expect(store.outbox().map((i) => i.notification.receiver)).toEqual(['hook']);
    expect(clock.reads).toBeLessThan(1_000);
    await d.close();
  });
});
