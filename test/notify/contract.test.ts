import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import type { Notifier, NotifierPlugin } from '../../src/notify/plugins/notifier.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { consoleNotifier } from '../../src/notify/plugins/console.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { NOTIFIERS } from '../../src/notify/registry.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { notification, NOW } from '../helpers/alerts.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { json, TestServer } from '../helpers/http-server.js';
import { TestSmtp } from '../helpers/smtp.js';

/**
 * The one contract every built-in notifier keeps (after Alertmanager's notify/test kit):
 * it delivers; a failure worth retrying says so and one that is not says so too; it stops at
 * once when aborted; and no error carries a secret.
 */
interface Harness {
  plugin: NotifierPlugin<never>;
  /** A secret the notifier is configured with, that must appear in no error. */
  secret?: string;
  good(): Notifier;
  /** Credentials or address the far end refuses: a permanent failure. */
  refused?(): Notifier;
  /** The far end is down or answers 5xx: worth retrying. */
  failing?(): Notifier;
  /** The far end never answers. */
  hanging(): Notifier;
  delivered(): number;
}

const clock = new VirtualClock(NOW);
const ctx = (name: string) => ({
  name,
  clock,
  log: silentLogger(),
  memory: new NotifyStore(undefined).memory(name),
});
const create = <O>(p: NotifierPlugin<O>, o: O, name = 'n'): Notifier => p.create(o, ctx(name));

const slack = new FakeSlack();
const hook = new TestServer();
const am = new TestServer();
const smtp = new TestSmtp();
let silentSmtp: Server;
let silentPort = 0;
let slackUrl = '';
let closedPort = 0;
let hookMode: 'ok' | 'down' | 'refuse' | 'hang' = 'ok';

beforeAll(async () => {
  slackUrl = await slack.listen();
  hook.reply = (_r, res) => {
    if (hookMode === 'hang') return;
    if (hookMode === 'down') return json(res, 503, {});
    if (hookMode === 'refuse') return json(res, 401, {});
    json(res, 200, {});
  };
  am.reply = hook.reply;
  await hook.listen();
  await am.listen();
  await smtp.listen();
  silentSmtp = createServer(() => undefined); // accepts, never greets
  await new Promise<void>((r) => silentSmtp.listen(0, '127.0.0.1', () => r()));
  silentPort = (silentSmtp.address() as AddressInfo).port;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  await Promise.all([slack.close(), hook.close(), am.close(), smtp.close()]);
  silentSmtp.close();
});

const mailOptions = (over: Record<string, unknown> = {}) => smtp.settings(over);

const harnesses: Record<string, Harness> = {
  console: {
    plugin: consoleNotifier,
    good: () => create(consoleNotifier, { stream: 'stderr' }),
    hanging: () => create(consoleNotifier, {}),
    delivered: () => 1,
  },
  slack: {
    plugin: slackNotifier,
    secret: slack.token,
    good: () => {
      slack.mode = { kind: 'ok' };
      return create(slackNotifier, { token: slack.token, channel: '#noc', api_url: slackUrl });
    },
    refused: () => {
      slack.mode = { kind: 'ok' };
      return create(slackNotifier, { token: 'xoxb-revoked-SECRET', channel: '#noc', api_url: slackUrl });
    },
    failing: () => {
      slack.mode = { kind: 'http', status: 503 };
      return create(slackNotifier, { token: slack.token, channel: '#noc', api_url: slackUrl });
    },
    hanging: () => {
      slack.mode = { kind: 'hang' };
      return create(slackNotifier, { token: slack.token, channel: '#noc', api_url: slackUrl });
    },
    delivered: () =>
      slack.calls.filter((c) => c.method === 'chat.postMessage' && c.token === slack.token).length,
  },
  email: {
    plugin: emailNotifier,
    secret: smtp.password,
    good: () => create(emailNotifier, mailOptions()),
    refused: () => create(emailNotifier, mailOptions({ password: 'wrong-SECRET-pw' })),
    failing: () => create(emailNotifier, mailOptions({ port: closedPort })),
    hanging: () => create(emailNotifier, mailOptions({ port: silentPort })),
    delivered: () => smtp.mail.length,
  },
  webhook: {
    plugin: webhookNotifier,
    secret: 'hmac-SECRET-value',
    good: () => (
      (hookMode = 'ok'),
      create(webhookNotifier, { url: `${hook.url}/hook`, secret: 'hmac-SECRET-value' })
    ),
    refused: () => (
      (hookMode = 'refuse'),
      create(webhookNotifier, { url: `${hook.url}/hook`, secret: 'hmac-SECRET-value' })
    ),
    failing: () => (
      (hookMode = 'down'),
      create(webhookNotifier, { url: `${hook.url}/hook`, secret: 'hmac-SECRET-value' })
    ),
    hanging: () => ((hookMode = 'hang'), create(webhookNotifier, { url: `${hook.url}/hook` })),
    delivered: () => hook.received.length,
  },
  alertmanager: {
    plugin: alertmanagerNotifier,
    secret: 'Bearer am-SECRET',
    good: () => (
      (hookMode = 'ok'),
      create(alertmanagerNotifier, {
        url: am.url,
        endsAfterMs: 300_000,
        headers: { authorization: 'Bearer am-SECRET' },
      })
    ),
    refused: () => (
      (hookMode = 'refuse'),
      create(alertmanagerNotifier, {
        url: am.url,
        endsAfterMs: 300_000,
        headers: { authorization: 'Bearer am-SECRET' },
      })
    ),
    failing: () => (
      (hookMode = 'down'),
      create(alertmanagerNotifier, {
        url: am.url,
        endsAfterMs: 300_000,
        headers: { authorization: 'Bearer am-SECRET' },
      })
    ),
    hanging: () => ((hookMode = 'hang'), create(alertmanagerNotifier, { url: am.url, endsAfterMs: 300_000 })),
    delivered: () => am.received.filter((r) => r.path === '/api/v2/alerts').length,
  },
};

function errorText(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  return `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)} ${e.cause instanceof Error ? `${e.cause.message} ${e.cause.stack ?? ''}` : ''}`;
}

it('every notifier in the registry has a contract harness', () => {
  expect(Object.keys(harnesses).sort()).toEqual(NOTIFIERS.map((p) => p.type).sort());
});

describe.each(Object.entries(harnesses))('notifier contract: %s', (_name, h) => {
  it('delivers a notification', async () => {
    const before = h.delivered();
    await h.good().send(notification(), new AbortController().signal);
    expect(h.delivered()).toBe(before + (h.plugin.type === 'console' ? 0 : 1));
  });

  if (h.refused)
    it('says a refusal is permanent, with no secret in the error', async () => {
      const err = await h.refused!()
        .send(notification(), new AbortController().signal)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotifyError);
      expect((err as NotifyError).retryable).toBe(false);
      expect(errorText(err)).not.toMatch(/SECRET/);
      if (h.secret) expect(errorText(err)).not.toContain(h.secret);
    });

  if (h.failing)
    it('says an outage or a 5xx is worth retrying, with no secret in the error', async () => {
      const err = await h.failing!()
        .send(notification(), new AbortController().signal)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotifyError);
      expect((err as NotifyError).retryable).toBe(true);
      if (h.secret) expect(errorText(err)).not.toContain(h.secret);
    });

  it('stops at once when aborted', async () => {
    const ac = new AbortController();
    const n = h.hanging();
    const sending = n.send(notification(), ac.signal).then(
      () => 'sent',
      (e: unknown) => e,
    );
    setTimeout(() => ac.abort(new Error('shutting down')), 30);
    const out = await sending;
    if (h.plugin.type === 'console')
      expect(out).toBe('sent'); // nothing to wait for
    else expect(String(out)).toContain('shutting down');
    await n.close?.();
  });
});
