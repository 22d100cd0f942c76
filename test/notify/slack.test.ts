import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notifier } from '../../src/notify/plugins/notifier.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, notification, NOW } from '../helpers/alerts.js';
import { FakeSlack } from '../helpers/fake-slack.js';

const slack = new FakeSlack();
let apiUrl = '';
const dir = mkdtempSync(join(tmpdir(), 'qw-slack-'));
const clock = new VirtualClock(NOW);
beforeAll(async () => {
  apiUrl = await slack.listen();
});
afterAll(async () => slack.close());

function notifier(store = new NotifyStore(dir)): Notifier {
  return slackNotifier.create(
    { token: slack.token, channel: '#noc', api_url: apiUrl },
    { name: 'slack', clock, log: silentLogger(), memory: store.memory('slack') },
  );
}
const signal = (): AbortSignal => new AbortController().signal;
const allText = (args: Record<string, unknown>): string => JSON.stringify(args);

describe('slack notifier', () => {
  it('posts Block Kit with the severity colour, then on resolve updates the message in place and replies in its thread, across a restart', async () => {
    const group = 'slack|{"alertname":"meeting-audio-degraded"}';
    await notifier().send(
      notification({ id: 'a1', groupKey: group, firing: [alert({ severity: 'critical' })] }),
      signal(),
    );
    const post = slack.calls.at(-1)!;
    expect(post.method).toBe('chat.postMessage');
    expect(post.args.channel).toBe('#noc');
    const attachments = post.args.attachments as { color: string; blocks: { type: string }[] }[];
    expect(attachments[0]!.color).toBe('#d32f2f');
    expect(allText(post.args)).toContain('450 ms');
    expect(allText(post.args)).toContain('&gt; 300 ms');

    // A restart in between: the message id comes back from the state directory.
    const later = notifier(new NotifyStore(dir));
    await later.send(
      notification({ id: 'a2', groupKey: group, firing: [], resolved: [alert({ state: 'resolved' })] }),
      signal(),
    );
    const [update, reply] = slack.calls.slice(-2);
    expect(update!.method).toBe('chat.update');
    expect(update!.args.ts).toBe('1001.000100');
    expect((update!.args.attachments as { color: string }[])[0]!.color).toBe('#2e7d32');
    expect(reply!.method).toBe('chat.postMessage');
    expect(reply!.args.thread_ts).toBe('1001.000100');
    expect(String(reply!.args.text)).toContain('RESOLVED');

    // All resolved: the next incident in that group starts a new message.
    await later.send(notification({ id: 'a3', groupKey: group }), signal());
    expect(slack.calls.at(-1)!.args.thread_ts).toBeUndefined();
  });

  it('keeps one thread for a group while it fires: later updates go to the thread', async () => {
    const n = notifier();
    const group = 'slack|{"alertname":"datacenter-loss-incident"}';
    await n.send(notification({ id: 'b1', groupKey: group }), signal());
    const posted = slack.calls.at(-1)!;
    expect(posted.method).toBe('chat.postMessage');
    await n.send(
      notification({ id: 'b2', groupKey: group, firing: [alert(), alert({ participant: 'ann' })] }),
      signal(),
    );
    expect(slack.calls.at(-2)!.method).toBe('chat.update');
    expect(slack.calls.at(-1)!.args.thread_ts).toBeDefined();
  });

  it('escapes names from Zoom: <!channel> pings nobody', async () => {
    await notifier().send(
      notification({
        groupKey: 'x',
        firing: [
          alert({
            annotations: { summary: '<!channel> & <@U123> has 450 ms' },
            context: { participant: '<!here>', topic: 'a <b> c' },
          }),
        ],
      }),
      signal(),
    );
    const text = allText(slack.calls.at(-1)!.args);
    expect(text).not.toMatch(/<!channel>|<!here>|<@U123>/);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
  });

  it('turns the client retries off: a rate limit is one call, reported with Retry-After', async () => {
    slack.mode = { kind: 'ratelimited', retryAfter: 7 };
    const before = slack.calls.length;
    const err = await notifier()
      .send(notification({ groupKey: 'rl' }), signal())
      .catch((e: unknown) => e);
    slack.mode = { kind: 'ok' };
    expect(slack.calls.length - before).toBe(1);
    expect(err).toMatchObject({ code: 'NOTIFY_RATE_LIMITED', retryable: true, retryAfterMs: 7000 });
  });

  it.each([
    ['chunked', false],
    ['declared by its content-length', true],
  ])(
    'stops reading a 64 MiB answer (%s) at 4 MiB: a retryable failure, the connection closed',
    async (_, declared) => {
      // On the old code the client read it whole (text()) and the post counted as delivered.
      const bytes = 64 * 1024 * 1024;
      slack.mode = { kind: 'huge', bytes, declared };
      const err = await notifier()
        .send(notification({ groupKey: `huge-${declared}` }), signal())
        .catch((e: unknown) => e);
      slack.mode = { kind: 'ok' };
      expect(err).toMatchObject({
        code: 'NOTIFY_SERVER_ERROR',
        retryable: true,
        message: 'slack: Slack sent an answer larger than 4 MiB, the most qoswatch reads: it stopped reading',
      });
      expect(await slack.huge!.closed).toBe(true);
      expect(slack.huge!.written).toBeLessThan(bytes);
    },
  );
});
