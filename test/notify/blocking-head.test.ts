import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * One notification that always times out must not hold its notifier's others until it expires
 * (note 29, LOW: a webhook that hangs on one notification only; the outbox retried it first on
 * every pass and the whole notifier waited with it, 24 h by default). After it has failed 3
 * times in a row, a pass tries the next-oldest group once: if that goes through, the notifier
 * works and the rest follow; a group's own notifications still wait for its oldest.
 */
let hook: TestServer;
/** Requests the webhook holds without answering (the send timeout ends them). */
let held = 0;
/** Whose notifications the webhook hangs on: `p1`, or every one (`*`: the receiver is down). */
let hangOn = 'p1';
/** What the webhook answered 200 to, as `participant:status`. */
let delivered: string[] = [];
beforeEach(async () => {
  held = 0;
  hangOn = 'p1';
  delivered = [];
  hook = new TestServer((r, res) => {
    const body = JSON.parse(r.body) as { status: string; alerts: { labels: { participant: string } }[] };
    const who = body.alerts.map((a) => a.labels.participant).join(',');
    if (hangOn === '*' || who === hangOn) {
      held++;
      return; // never answers
    }
    delivered.push(`${who}:${body.status}`);
    res.end('{}');
  });
  await hook.listen();
});
afterEach(async () => hook.close());

const timing = { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 };

describe('a notification that always times out', () => {
  it('holds the notifier for 3 attempts, then lets the other groups go; its own group waits; a notifier down for all costs 2 attempts a pass', async () => {
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-blocking-head-')));
    const d = testDispatcher({
      route: routeAll('hook', timing),
      receivers: receiversOf({
        hook: webhookNotifier.create(
          { url: `${hook.url}/hook` },
          { name: 'hook', clock, log: silentLogger(), memory: store.memory('hook') },
        ),
      }),
      clock,
      store,
      sendTimeoutMs: 30_000,
      timers,
    });
    const attempts = (): number => d.stats.failed.get('hook')?.get('NOTIFY_TIMEOUT') ?? 0;

    d.ingest(changes(alert({ participant: 'p1' })));
    expect(await pass(d, timers, () => held)).toBe(1);
    d.ingest(['p2', 'p3', 'p4'].flatMap((p) => changes(alert({ participant: p }))));
    clock.advance(60_000);
    // Second failure of the same head: the notifier still waits as a whole.
    expect(await pass(d, timers, () => held)).toBe(1);
    expect(delivered).toEqual([]);
    clock.advance(60_000);
    // Third: the next-oldest group is tried once, goes through, and the rest follow.
    expect(await pass(d, timers, () => held)).toBe(1);
    expect(delivered).toEqual(['p2:firing', 'p3:firing', 'p4:firing']);
    expect(d.outboxDepth).toBe(1);

    // p1's resolve waits for p1's firing message; other groups' notifications do not.
    d.ingest(changes(alert({ participant: 'p1', state: 'resolved' }), alert({ participant: 'p5' })));
    clock.advance(60_000);
    expect(await pass(d, timers, () => held)).toBe(1);
    expect(delivered.slice(3)).toEqual(['p5:firing']);
    expect(d.outboxDepth).toBe(2);

    // Down for everything: the head and one probe a pass, not every group in turn.
    hangOn = '*';
    d.ingest(['p6', 'p7', 'p8'].flatMap((p) => changes(alert({ participant: p }))));
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      expect(await pass(d, timers, () => held)).toBe(2);
    }
    expect(attempts()).toBe(4 + 8);
    expect(d.outboxDepth).toBe(5);

    // Back up: everything goes, p1's firing before its resolve.
    hangOn = 'none';
    clock.advance(60_000);
    expect(await pass(d, timers, () => held)).toBe(0);
    expect(delivered.slice(4)).toEqual(['p1:firing', 'p1:resolved', 'p6:firing', 'p7:firing', 'p8:firing']);
    expect(d.outboxDepth).toBe(0);
    await d.close();
  });
});
