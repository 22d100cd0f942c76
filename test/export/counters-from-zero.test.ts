import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Daemon } from '../../src/app/daemon.js';
import { fromRoot } from '../../src/util/package-root.js';
import { debianBinary } from '../helpers/binaries.js';
import { daemonFor, holdClockInCycles, runUntil } from '../helpers/daemon.js';
import { TestServer } from '../helpers/http-server.js';
import { startDefaultScenario, type SimHarness } from '../helpers/sim.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import { webhookTo } from '../helpers/notifiers.js';

/**
 * Issue 13: every counter with a known label set starts at 0, so that rate() and increase()
 * see the first failure. Scraped through the daemon's real /metrics, and the scrapes fed to
 * promtool with the shipped alert rule.
 */
const promtool = debianBinary('promtool', 'prometheus');
const RULES = fromRoot('docs/prometheus/qoswatch-alerts.yml');
let h: SimHarness;
let hook: TestServer;
let daemon: Daemon;
let url = '';
/** One real scrape before the daemon ran, then one per virtual minute. */
const scrapes: string[] = [];

const scrape = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();
/** Every sample of a family for one label filter, as `{labels} value` lines. */
const samples = (text: string, name: string, filter: string): Map<string, number> =>
  new Map(
    [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))]
      .filter((m) => m[1]!.includes(filter))
      .map((m) => [m[1]!, Number(m[2])]),
  );

beforeAll(async () => {
  h = await startDefaultScenario();
  // A webhook receiver that refuses every delivery: a notifier that never succeeds.
  hook = new TestServer((_r, res) => {
    res.statusCode = 401;
    res.end('{"error":"bad token"}');
  });
  await hook.listen();
  ({ daemon } = daemonFor(h, (c) => {
    c.metrics.topicLabel = false;
    c.notify.notifiers = [webhookTo(`${hook.url}/hook`)];
    c.notify.route = routeSettings({ receiver: 'hook', group_by: ['alertname'], group_wait: '0s' });
  }));
  // The notify loop sleeps on the same clock: a cycle's real time (the first call imports the
  // HTTP client) must not move virtual time.
  holdClockInCycles(daemon, h);
  await daemon.startNotifications();
  url = await daemon.listen();
  scrapes.push(await scrape());
  for (let minute = 1; minute <= 20; minute++) {
    await runUntil(daemon, h, h.clock.now() + 60_000);
    // run() closes the HTTP server when it stops; open it again to scrape.
    url = await daemon.listen();
    scrapes.push(await scrape());
  }
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await hook.close();
  await h.close();
});

describe('counters with a known label set', () => {
  it('exist at 0 before anything happened: every failure reason of every notifier', () => {
    const failed = samples(scrapes[0]!, 'qoswatch_notifications_failed_total', 'notifier="hook"');
    expect(failed.get('notifier="hook",reason="NOTIFY_AUTH"')).toBe(0);
    expect(failed.get('notifier="hook",reason="expired"')).toBe(0);
    expect(failed.size).toBe(10);
    expect([...failed.values()].every((v) => v === 0)).toBe(true);
    expect(
      samples(scrapes[0]!, 'qoswatch_notifications_sent_total', 'notifier="hook"').get('notifier="hook"'),
    ).toBe(0);
  });

  it('exist at 0 for every endpoint a source calls and every outcome, before the first call', () => {
    const zoom = samples(scrapes[0]!, 'qoswatch_zoom_requests_total', 'account="zoom"');
    const sdk = samples(scrapes[0]!, 'qoswatch_zoom_requests_total', 'account="videosdk"');
    expect(zoom.get('account="zoom",endpoint="meeting_qos",category="Heavy",outcome="server_error"')).toBe(0);
    expect(zoom.get('account="zoom",endpoint="meetings",category="Resource-intensive",outcome="ok"')).toBe(0);
    expect(
      sdk.get('account="videosdk",endpoint="session_qos",category="Heavy",outcome="network_error"'),
    ).toBe(0);
    // meetings and webinars: list, participants and QoS; sessions: list and QoS; 10 outcomes each.
    expect(zoom.size).toBe(6 * 10);
    expect(sdk.size).toBe(2 * 10);
    expect([...zoom.values(), ...sdk.values()].every((v) => v === 0)).toBe(true);
    // Then they count: the run called every endpoint of the meetings it found.
    const after = samples(scrapes.at(-1)!, 'qoswatch_zoom_requests_total', 'account="zoom"');
    expect(after.get('account="zoom",endpoint="meeting_qos",category="Heavy",outcome="ok"')).toBeGreaterThan(
      0,
    );
  });

  it('count the refused deliveries of the notifier that never succeeded', () => {
    const last = scrapes.at(-1)!;
    expect(
      samples(last, 'qoswatch_notifications_failed_total', 'reason="NOTIFY_AUTH"').get(
        'notifier="hook",reason="NOTIFY_AUTH"',
      ),
    ).toBeGreaterThan(0);
    expect(samples(last, 'qoswatch_notifications_sent_total', '').get('notifier="hook"')).toBe(0);
    expect(hook.received.length).toBeGreaterThan(0);
  });

  it.runIf(promtool)(
    'make the shipped QoswatchNotificationsFailing expression see the first failure (and not without the 0)',
    () => {
      const rule = (
        parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert?: string; expr: string }[] }[] }
      ).groups
        .flatMap((g) => g.rules)
        .find((r) => r.alert === 'QoswatchNotificationsFailing')!;
      // Each series of the notifier, as scraped minute by minute.
      const series = new Map<string, number[]>();
      for (const [i, text] of scrapes.entries())
        for (const name of ['qoswatch_notifications_failed_total', 'qoswatch_notifications_sent_total'])
          for (const [labels, v] of samples(text, name, 'notifier="hook"')) {
            const key = `${name}{job="qoswatch",${labels}}`;
            (series.get(key) ?? series.set(key, Array<number>(i).fill(NaN)).get(key)!).push(v);
          }
      const failures = series.get(
        'qoswatch_notifications_failed_total{job="qoswatch",notifier="hook",reason="NOTIFY_AUTH"}',
      )!;
      const first = failures.findIndex((v) => v > 0);
      expect(first).toBeGreaterThan(0);
      const values = (vs: number[]): string => vs.map((v) => (Number.isNaN(v) ? '_' : String(v))).join(' ');
      // The same scrapes as a daemon whose failure counters appear only at their first increment
      // (as before issue 13; the sent counter already started at 0).
      const late = (vs: number[]): number[] => {
        const at = vs.findIndex((v) => v > 0);
        return vs.map((v, i) => (at < 0 || i < at ? NaN : v));
      };
      const test = (name: string, failedMap: (vs: number[]) => number[], expected: unknown[]) => ({
        name,
        interval: '1m',
        input_series: [...series].map(([s, vs]) => ({
          series: s,
          values: values(s.startsWith('qoswatch_notifications_failed_total') ? failedMap(vs) : vs),
        })),
        promql_expr_test: [
          { expr: `count by (notifier) (${rule.expr})`, eval_time: `${first}m`, exp_samples: expected },
        ],
      });
      const dir = mkdtempSync(join(tmpdir(), 'qw-promtool-'));
      const file = join(dir, 'from-zero.test.yml');
      writeFileSync(
        file,
        JSON.stringify({
          rule_files: [RULES],
          tests: [
            test('counters from 0: the first failure is an increase', (vs) => vs, [
              { labels: '{notifier="hook"}', value: 1 },
            ]),
            test('counters born at their first increment: the first failure is not seen', late, []),
          ],
        }),
      );
      const r = spawnSync(promtool!, ['test', 'rules', file], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toContain('SUCCESS');
      expect(r.status).toBe(0);
    },
  );
});
