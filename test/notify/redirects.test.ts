import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import type { Notifier } from '../../src/notify/plugins/notifier.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { notification, NOW } from '../helpers/alerts.js';
import { RedirectPair } from '../helpers/http-server.js';

// The configured receiver answers every request with a redirect to another host (`localhost`,
// another port): the second server records whether anything reached it.
const pair = new RedirectPair();
const { other, redirecting } = pair;
beforeAll(async () => pair.listen());
afterAll(async () => pair.close());
const ctx = (name: string) => ({
  name,
  clock: new VirtualClock(NOW),
  log: silentLogger(),
  memory: new NotifyStore(undefined).memory(name),
});

async function failure(n: Notifier): Promise<{ code: string; message: string; retryable: boolean }> {
  const err = await n.send(notification({ kind: 'test' }), new AbortController().signal).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string; retryable: boolean },
  );
  expect(err).toBeDefined();
  return { code: err!.code, message: err!.message, retryable: err!.retryable };
}

describe('a notifier whose receiver answers with a redirect to another host', () => {
  // Fails on the old code: fetch followed the 307 to /steal with the body, X-Api-Key and the
  // signature, and send() resolved as if delivered.
  it('webhook: does not follow it, and fails for good naming the status and the origin only', async () => {
    const hook = webhookNotifier.create(
      {
        url: `${redirecting.url}/r`,
        secret: 'sig-secret',
        headers: { Authorization: 'Bearer X', 'X-Api-Key': 'K' },
      },
      ctx('r1'),
    );
    const before = redirecting.received.length;
    expect(await failure(hook)).toEqual({
      code: 'NOTIFY_REJECTED',
      retryable: false,
      message: `r1: answered HTTP 307, a redirect to ${pair.otherOrigin}; redirects are not followed: set the url to where it should go`,
    });
    expect(redirecting.received.length).toBe(before + 1);
    expect(other.received).toEqual([]);
  });

  it('alertmanager: the same', async () => {
    const am = alertmanagerNotifier.create(
      { url: redirecting.url, endsAfterMs: 300_000, headers: { 'X-Scope-OrgID': 'tenant' } },
      ctx('am'),
    );
    const { code, retryable, message } = await failure(am);
    expect({ code, retryable }).toEqual({ code: 'NOTIFY_REJECTED', retryable: false });
    expect(message).toMatch(/^am: answered HTTP 307, a redirect to http:\/\/localhost:\d+; /);
    expect(redirecting.received.at(-1)!.path).toBe('/api/v2/alerts');
    expect(other.received).toEqual([]);
  });

  // Slack's client never followed it (its fetch has redirect: 'error'), but the failure was
  // retried for a day as "cannot reach Slack (slack_webapi_request_error)".
  it('slack: the Web API client does not follow it either, and it fails for good, pointing at api_url', async () => {
    const slack = slackNotifier.create(
      { token: 'xoxb-secret', channel: '#noc', api_url: `${redirecting.url}/api/` },
      ctx('slack'),
    );
    expect(await failure(slack)).toEqual({
      code: 'NOTIFY_REJECTED',
      retryable: false,
      message: "slack: Slack's API answered with a redirect; redirects are not followed: check api_url",
    });
    expect(redirecting.received.at(-1)!.path).toBe('/api/chat.postMessage');
    expect(other.received).toEqual([]);
  });
});
