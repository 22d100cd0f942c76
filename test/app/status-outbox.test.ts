import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { NotifierOutboxStatus } from '../../src/app/status-report.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import { daemonFor, holdClockInCycles, runUntil } from '../helpers/daemon.js';
import { TestServer } from '../helpers/http-server.js';
import { webhookTo } from '../helpers/notifiers.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * /api/v1/status shows each notifier's part of the outbox, as the metrics do (stop 30): two real
 * webhooks take every alert, `good` answers 200 and `bad` 429 (it backs off as a whole).
 */
let h: SimHarness;
let good: TestServer;
let bad: TestServer;
let daemon: Daemon;
let url = '';
beforeAll(async () => {
  h = await startSim({
    meetings: [meetingWith(4)],
    episodes: [{ where: { instance: 85000000001 }, from: '0m', to: '1h', any: { latency: '500ms' } }],
  });
  good = new TestServer();
  bad = new TestServer((_r, res) => {
    res.writeHead(429);
    res.end();
  });
  await Promise.all([good.listen(), bad.listen()]);
  ({ daemon } = daemonFor(h, (c) => {
    c.notify.notifiers = [webhookTo(`${good.url}/hook`, 'good'), webhookTo(`${bad.url}/hook`, 'bad')];
    c.notify.route = routeSettings({
      receiver: 'good',
      group_by: ['alertname'],
      group_wait: '0s',
      routes: [{ receiver: 'bad', continue: true }, { receiver: 'good' }],
    });
  }));
  holdClockInCycles(daemon, h);
  await daemon.startNotifications();
  await runUntil(daemon, h, h.clock.now() + 6 * 60_000);
  url = await daemon.listen();
}, 60_000);
afterAll(async () => {
  await daemon.close();
  await Promise.all([good.close(), bad.close()]);
  await h.close();
});

/** A series by notifier of a scrape, `name{notifier="x"} value` as `{ x: value }`. */
const series = (text: string, name: string): Record<string, number> =>
  Object.fromEntries(
    [...text.matchAll(new RegExp(`^${name}\\{notifier="([^"]+)"\\} (\\S+)$`, 'gm'))].map((m) => [
      m[1]!,
      Number(m[2]),
    ]),
  );

describe('/api/v1/status', () => {
  it("shows each notifier's outbox: queued, the oldest's age and backing off, as /metrics says them", async () => {
    const status = (await (await fetch(`${url}/api/v1/status`)).json()) as {
      notifications: { outbox: number; by_notifier: Record<string, NotifierOutboxStatus> };
    };
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const { outbox, by_notifier: byNotifier } = status.notifications;

    expect(good.received.length).toBeGreaterThan(0);
    expect(byNotifier.good).toEqual({ queued: 0, oldest_age_seconds: 0, backing_off: false });
    expect(byNotifier.bad!.queued).toBeGreaterThan(0);
    expect(byNotifier.bad!.queued).toBe(outbox);
    expect(byNotifier.bad!.oldest_age_seconds).toBeGreaterThan(0);
    expect(byNotifier.bad!.backing_off).toBe(true);
    // The same figures as the series, read at the same time (the daemon's loop has stopped).
    const of = (read: (s: NotifierOutboxStatus) => number): Record<string, number> =>
      Object.fromEntries(Object.entries(byNotifier).map(([n, s]) => [n, read(s)]));
    expect(series(metrics, 'qoswatch_notification_outbox_queued')).toEqual(of((s) => s.queued));
    expect(series(metrics, 'qoswatch_notification_outbox_oldest_age_seconds')).toEqual(
      of((s) => s.oldest_age_seconds),
    );
    expect(series(metrics, 'qoswatch_notification_backing_off')).toEqual(of((s) => (s.backing_off ? 1 : 0)));
  });
});
