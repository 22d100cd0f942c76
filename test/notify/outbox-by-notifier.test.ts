import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerNotifyMetrics } from '../../src/export/collectors/notify.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';

/**
 * While a notifier is down, the metrics say which one holds the backlog (outside tester, stop
 * 29: one global outbox depth said nothing of it), and the log says when it delivers again.
 * Two real webhooks: `good` answers 200; `bad` answers 429 (the notifier backs off as a whole)
 * until the test brings it back.
 */
let good: TestServer;
let bad: TestServer;
let badDown = true;
beforeEach(async () => {
  badDown = true;
  good = new TestServer();
  bad = new TestServer((_r, res) => {
    res.writeHead(badDown ? 429 : 200);
    res.end();
  });
  await Promise.all([good.listen(), bad.listen()]);
});
afterEach(async () => Promise.all([good.close(), bad.close()]));

const timing = { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 };

/** The notifier series of a scrape, `name{notifier="x"} value` as `{ x: value }`. */
async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const text = await registry.metrics();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${name}\\{notifier="([^"]+)"\\} (\\S+)$`, 'gm')))
    out[m[1]!] = Number(m[2]);
  return out;
}

describe('the outbox by notifier', () => {
  it('says which notifier holds the backlog, since when and that it backs off; the log says when it delivers again', async () => {
    const clock = new VirtualClock(NOW);
    const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-by-notifier-')));
    const ctx = (name: string) => ({ name, clock, log: silentLogger(), memory: store.memory(name) });
    const { log, lines } = captureLog();
    const d = testDispatcher({
      route: routeAll('good', timing, [routeAll('bad', timing), routeAll('good', timing)]),
      receivers: receiversOf({
        good: webhookNotifier.create({ url: `${good.url}/hook` }, ctx('good')),
        bad: webhookNotifier.create({ url: `${bad.url}/hook` }, ctx('bad')),
      }),
      clock,
      store,
      log,
    });
    const registry = new Registry();
    registerNotifyMetrics(registry, () => d);
    const zero = { good: 0, bad: 0 };
    expect(await series(registry, 'qoswatch_notification_outbox_queued')).toEqual(zero);
    expect(await series(registry, 'qoswatch_notification_backing_off')).toEqual(zero);

    d.ingest(['p1', 'p2', 'p3'].flatMap((p) => changes(alert({ participant: p }))));
    await d.tick();
    expect(good.received).toHaveLength(3);
    expect(bad.received).toHaveLength(1); // one 429, and the notifier waits as a whole
    clock.advance(90_000); // no pass meanwhile: the oldest has waited 90 s

    expect(await series(registry, 'qoswatch_notification_outbox_queued')).toEqual({ good: 0, bad: 3 });
    expect(await series(registry, 'qoswatch_notification_outbox_oldest_age_seconds')).toEqual({
      good: 0,
      bad: 90,
    });
    expect(await series(registry, 'qoswatch_notification_backing_off')).toEqual({ good: 0, bad: 1 });
    // The total keeps its name and meaning (alert rules and the dashboard read it).
    expect(await registry.metrics()).toMatch(/^qoswatch_notification_outbox_depth 3$/m);
    expect(lines.filter((l) => /delivering again/.test(l.msg))).toEqual([]);

    badDown = false;
    await d.tick();
    expect(bad.received).toHaveLength(4);
    expect(await series(registry, 'qoswatch_notification_outbox_queued')).toEqual(zero);
    expect(await series(registry, 'qoswatch_notification_outbox_oldest_age_seconds')).toEqual(zero);
    expect(await series(registry, 'qoswatch_notification_backing_off')).toEqual(zero);
    expect(lines.filter((l) => /delivering again/.test(l.msg))).toMatchObject([
      {
        level: 30,
        receiver: 'bad',
        downForMs: 90_000,
        waiting: 2,
        msg: 'bad: delivering again, after 2 min backing off; 2 more notifications to send',
      },
    ]);

    // Down again: the failure is logged at once, not held back as a repeat of the first one.
    badDown = true;
    d.ingest(changes(alert({ participant: 'p4' })));
    await d.tick();
    const retries = lines.filter((l) => /bad: delivery failed, will retry/.test(l.msg));
    expect(retries).toHaveLength(2);
    expect(await series(registry, 'qoswatch_notification_backing_off')).toEqual({ good: 0, bad: 1 });
    await d.close();
  });
});
