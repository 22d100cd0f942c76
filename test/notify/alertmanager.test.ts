import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { captureLog } from '../helpers/log.js';
import { alert, notification } from '../helpers/alerts.js';
import { debianBinary } from '../helpers/binaries.js';
import { waitForOk } from '../helpers/cli.js';
import { PROMETHEUS_LISTENING, startOnPortZero } from '../helpers/listening-child.js';

const binary = debianBinary('prometheus-alertmanager', 'prometheus-alertmanager');
let am: ChildProcess | undefined;
let url = '';

beforeAll(async () => {
  if (!binary) return;
  const dir = mkdtempSync(join(tmpdir(), 'qw-am-'));
  writeFileSync(join(dir, 'am.yml'), 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  // On port 0, the port read back from its log: none picked beforehand for another test to take.
  ({ child: am, url } = await startOnPortZero(
    binary,
    [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${dir}`,
      '--web.listen-address=127.0.0.1:0',
      '--cluster.listen-address=',
    ],
    PROMETHEUS_LISTENING,
  ));
  await waitForOk(`${url}/-/ready`, 400);
}, 60_000);
afterAll(() => {
  am?.kill('SIGTERM');
});

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string };
}
const alerts = async (): Promise<AmAlert[]> =>
  (await (await fetch(`${url}/api/v2/alerts?active=true`)).json()) as AmAlert[];

describe.runIf(binary)('alertmanager notifier against a real Alertmanager', () => {
  it('posts firing alerts, refreshes endsAt while they fire, and resolves them', async () => {
    const clock = new VirtualClock(Date.now());
    const n = alertmanagerNotifier.create(
      { url, endsAfterMs: 5 * 60_000 },
      { name: 'am', clock, log: silentLogger(), memory: new NotifyStore(undefined).memory('am') },
    );
    const firing = alert({ since: clock.now() - 60_000, firingSince: clock.now() - 30_000 });
    await n.send(notification({ firing: [firing] }), new AbortController().signal);
    const [first] = await alerts();
    expect(first!.labels).toMatchObject({
      alertname: 'audio-latency-high',
      participant: 'bob',
      instance: '85012345678',
      qoswatch: 'true',
    });
    expect(first!.annotations).toMatchObject({ value: '450 ms', threshold: '> 300 ms' });
    expect(first!.status.state).toBe('active');
    clock.advance(60_000);
    await n.send(notification({ firing: [firing] }), new AbortController().signal);
    const [refreshed] = await alerts();
    expect(Date.parse(refreshed!.endsAt) - Date.parse(first!.endsAt)).toBe(60_000);
    await n.send(
      notification({
        firing: [],
        resolved: [{ ...firing, state: 'resolved', resolvedAt: Date.now() - 1000, reason: 'recovered' }],
      }),
      new AbortController().signal,
    );
    expect(await alerts()).toEqual([]);
  });

  it('a batch with one alert it refuses: it stores the valid one and answers 400; qoswatch posts each alone, keeps the valid one delivered and logs the refused one', async () => {
    const { log, lines } = captureLog();
    const clock = new VirtualClock(Date.now());
    const n = alertmanagerNotifier.create(
      { url, endsAfterMs: 5 * 60_000 },
      { name: 'am', clock, log, memory: new NotifyStore(undefined).memory('am') },
    );
    const valid = alert({
      rule: 'batch-valid',
      since: clock.now() - 60_000,
      firingSince: clock.now() - 30_000,
    });
    // A label name Alertmanager 0.25 refuses (qoswatch refuses it in rules: this one is made up).
    const bad = alert({
      rule: 'batch-bad',
      labels: { ...alert().labels, alertname: 'batch-bad', 'bad-name': 'x' },
      since: clock.now() - 60_000,
    });
    // The old code threw the 400 (a permanent failure, counted as dropped), though the valid one was stored.
    await n.send(notification({ firing: [valid, bad] }), new AbortController().signal);
    const active = (await alerts()).map((a) => a.labels.alertname);
    expect(active).toContain('batch-valid');
    expect(active).not.toContain('batch-bad');
    const warned = lines.filter((l) => l.level === 40).map((l) => l.msg);
    // What Alertmanager 0.25 answers, alone: "invalid label set: invalid name \"bad-name\"".
    expect(warned).toEqual([
      `am: Alertmanager refused the alert batch-bad (instance 85012345678, participant bob): invalid label set: invalid name "bad-name"; dropped, while the notification's other alert was taken`,
    ]);
  });

  it('notify-test: the test alert is labelled qoswatch_test="true" and ends by itself 2 minutes later, not after ends_after', async () => {
    const clock = new VirtualClock(Date.now());
    const n = alertmanagerNotifier.create(
      { url, endsAfterMs: 60 * 60_000 },
      { name: 'am', clock, log: silentLogger(), memory: new NotifyStore(undefined).memory('am') },
    );
    await n.send(notification({ kind: 'test', firing: [] }), new AbortController().signal);
    const test = (await alerts()).find((a) => a.labels.alertname === 'QoswatchTest');
    expect(test!.labels).toEqual({ alertname: 'QoswatchTest', qoswatch: 'true', qoswatch_test: 'true' });
    expect(test!.status.state).toBe('active');
    // The old code kept it for ends_after (here 1 h; 5 m by default) with nothing to route it by.
    expect(Date.parse(test!.endsAt) - clock.now()).toBe(2 * 60_000);
  });

  it('a url that already ends in /api/v2: Alertmanager answers 404, and the error says the url is the base', async () => {
    const n = alertmanagerNotifier.create(
      { url: `${url}/api/v2`, endsAfterMs: 5 * 60_000 },
      {
        name: 'am',
        clock: new VirtualClock(Date.now()),
        log: silentLogger(),
        memory: new NotifyStore(undefined).memory('am'),
      },
    );
    const sent = n.send(notification(), new AbortController().signal);
    await expect(sent).rejects.toMatchObject({
      code: 'NOTIFY_REJECTED',
      retryable: false,
      message:
        "am: rejected (HTTP 404): no Alertmanager API at the url; qoswatch appends /api/v2/alerts to it, so expected Alertmanager's base URL such as http://alertmanager:9093 (not one ending in /api/v2 or /alerts)",
    });
  });
});
