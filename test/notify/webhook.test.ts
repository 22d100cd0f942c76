import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { fromRoot } from '../../src/util/package-root.js';
import { alert, notification, NOW } from '../helpers/alerts.js';
import { TestServer } from '../helpers/http-server.js';

const receiver = new TestServer();
beforeAll(async () => {
  await receiver.listen();
});
afterAll(async () => receiver.close());
const ctx = {
  name: 'hook',
  clock: new VirtualClock(NOW),
  log: silentLogger(),
  memory: new NotifyStore(undefined).memory('hook'),
};

/** What a receiver does to trust a request: recompute the HMAC over timestamp and raw body. */
function verify(secret: string, ts: string, body: string, header: string): boolean {
  const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

describe('webhook notifier', () => {
  it('X-Qoswatch-Notification-Id is the body id; one with characters beyond ASCII (a group label) is percent-encoded, not refused', async () => {
    const hook = webhookNotifier.create({ url: `${receiver.url}/in` }, ctx);
    const ascii = notification({ id: 'hook|{"alertname":"x","instance":"555"}#1764755000000#3' });
    await hook.send(ascii, new AbortController().signal);
    expect(receiver.received.at(-1)!.headers['x-qoswatch-notification-id']).toBe(ascii.id);
    // fetch throws on a header value beyond Latin-1: the old code never delivered this one.
    const team = notification({ id: 'hook|{"alertname":"x","team":"运维 Zoë 100%"}#1764755000000#4' });
    await hook.send(team, new AbortController().signal);
    const r = receiver.received.at(-1)!;
    const header = String(r.headers['x-qoswatch-notification-id']);
    expect(header).toBe('hook|{"alertname":"x","team":"%E8%BF%90%E7%BB%B4 Zo%C3%AB 100%25"}#1764755000000#4');
    expect(decodeURIComponent(header)).toBe((JSON.parse(r.body) as { id: string }).id);
  });

  it('posts the documented qoswatch payload, signed, with custom headers', async () => {
    const n = notification({
      firing: [alert({ lastSampleAt: NOW - 360_000 })],
      resolved: [alert({ participant: 'ann', state: 'resolved' })],
    });
    await webhookNotifier
      .create({ url: `${receiver.url}/in`, secret: 's3cret', headers: { 'x-team': 'noc' } }, ctx)
      .send(n, new AbortController().signal);
    const r = receiver.received.at(-1)!;
    expect(r.headers['x-team']).toBe('noc');
    expect(r.headers['x-qoswatch-timestamp']).toBe(String(Math.floor(NOW / 1000)));
    expect(
      verify(
        's3cret',
        String(r.headers['x-qoswatch-timestamp']),
        r.body,
        String(r.headers['x-qoswatch-signature']),
      ),
    ).toBe(true);
    expect(
      verify(
        'wrong',
        String(r.headers['x-qoswatch-timestamp']),
        r.body,
        String(r.headers['x-qoswatch-signature']),
      ),
    ).toBe(false);
    const body = JSON.parse(r.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      version: '1',
      id: n.id,
      status: 'firing',
      receiver: 'r',
      group_labels: { alertname: 'audio-latency-high' },
    });
    expect(body.alerts).toMatchObject([
      {
        status: 'firing',
        rule: 'audio-latency-high',
        value: 0.45,
        value_text: '450 ms',
        threshold_text: '> 300 ms',
        // the data's age: created_at − last_sample_at (issue 12 item 4)
        last_sample_at: new Date(NOW - 360_000).toISOString(),
        context: { participant: 'bob', topic: 'Weekly sync' },
      },
      { status: 'resolved', reason: 'recovered', ends_at: new Date(NOW).toISOString() },
    ]);
  });

  it('sends every field of the payload docs/notifications.md shows, and no other', async () => {
    const doc = readFileSync(fromRoot('docs', 'notifications.md'), 'utf8');
    const block = /### The webhook payload[^]*?```json\n([^]*?)```/.exec(doc)![1]!;
    const shown = JSON.parse(block) as { alerts: Record<string, unknown>[] } & Record<string, unknown>;
    await webhookNotifier
      .create({ url: `${receiver.url}/doc` }, ctx)
      .send(notification({ firing: [alert()] }), new AbortController().signal);
    const sent = JSON.parse(receiver.received.at(-1)!.body) as typeof shown;
    expect(Object.keys(sent).sort()).toEqual(Object.keys(shown).sort());
    expect(Object.keys(sent.alerts[0]!).sort()).toEqual(Object.keys(shown.alerts[0]!).sort());
    expect(sent.alerts[0]).toMatchObject({ ends_at: null, reason: null });
  });

  it("speaks Alertmanager's v4 webhook shape when asked", async () => {
    await webhookNotifier
      .create({ url: `${receiver.url}/am`, format: 'alertmanager' }, ctx)
      .send(notification(), new AbortController().signal);
    const body = JSON.parse(receiver.received.at(-1)!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'r',
      groupLabels: { alertname: 'audio-latency-high' },
      commonLabels: { alertname: 'audio-latency-high' },
      truncatedAlerts: 0,
    });
    expect((body.alerts as Record<string, unknown>[])[0]).toMatchObject({
      status: 'firing',
      endsAt: '0001-01-01T00:00:00Z',
      labels: { participant: 'bob' },
    });
    expect((body.alerts as { fingerprint: string }[])[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});
