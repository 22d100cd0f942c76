import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';

/**
 * Alertmanager keeps an alert firing only while it is re-posted within ends_after. A daemon
 * restarted every 45 s (each run too short for the first reconciled cycle, which releases
 * other receivers' reminders) still re-posts every repeat_interval, from the saved log time.
 */
const am = new TestServer();
beforeAll(async () => {
  await am.listen();
});
afterAll(async () => am.close());

const timing = { groupWaitMs: 0, groupIntervalMs: 10_000, repeatIntervalMs: 60_000 };

function start(dir: string, clock: VirtualClock, groupTiming = timing): Dispatcher {
  const store = new NotifyStore(dir, undefined, clock.now());
  return testDispatcher({
    route: routeAll('am', groupTiming),
    receivers: receiversOf({
      am: alertmanagerNotifier.create(
        { url: am.url, endsAfterMs: 5 * 60_000 },
        { name: 'am', clock, log: silentLogger(), memory: store.memory('am') },
      ),
    }),
    clock,
    store,
  });
}

describe('Alertmanager reminders across restarts', () => {
  it('re-posts a firing alert every repeat_interval though the daemon restarts every 45 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-am-remind-'));
    const clock = new VirtualClock(NOW);
    const posts: number[] = [];
    const firing = alert({ participant: 'bob' });
    let d = start(dir, clock);
    d.ingest(changes(firing));
    for (let run = 0; run < 10; run++) {
      if (run > 0) {
        // A restart, as the daemon does it: seeded from the saved state, reminders held.
        d = start(dir, clock);
        d.seed([firing]);
        d.holdReminders();
      }
      for (let t = 0; t < 45_000; t += 5000) {
        const before = am.received.length;
        await d.tick();
        if (am.received.length > before) posts.push(clock.now());
        clock.advance(5000);
      }
    }
    const gaps = posts.slice(1).map((t, i) => t - posts[i]!);
    expect(posts.length).toBeGreaterThanOrEqual(7); // 450 s: the first post and one a minute
    expect(Math.max(...gaps)).toBeLessThanOrEqual(70_000); // repeat_interval + group_interval
    expect(am.received.every((r) => r.path === '/api/v2/alerts')).toBe(true);
  });
});

describe('Alertmanager reminders after a stop', () => {
  it('re-posts when due after a SIGTERM stop: the stop does not push the group one group_interval on', async () => {
    // Alertmanager's own default timing: group_interval 1m, repeat_interval 1m.
    const amTiming = { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 60_000 };
    const dir = mkdtempSync(join(tmpdir(), 'qw-am-stop-'));
    const clock = new VirtualClock(NOW);
    const firing = alert({ participant: 'carol' });
    const before = am.received.length;
    let d = start(dir, clock, amTiming);
    d.ingest(changes(firing));
    await d.tick();
    expect(am.received.length).toBe(before + 1); // posted at NOW
    // A SIGTERM 50 s later: the daemon flushes every group and delivers; nothing is due.
    clock.advance(50_000);
    d.flushAll();
    await d.tick();
    expect(am.received.length).toBe(before + 1);
    // The next run starts 5 s later; the re-post is due at NOW + 60 s.
    clock.advance(5000);
    d = start(dir, clock, amTiming);
    d.seed([firing]);
    d.holdReminders();
    const posts: number[] = [];
    for (let t = 0; t < 40_000; t += 5000) {
      const n = am.received.length;
      await d.tick();
      if (am.received.length > n) posts.push(clock.now() - NOW);
      clock.advance(5000);
    }
    // Old code: the stop's flush moved the group's next flush to NOW + 110 s, past this run.
    expect(posts).toEqual([60_000]);
  });
});
