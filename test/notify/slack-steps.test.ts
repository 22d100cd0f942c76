import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, changes, notification, NOW } from '../helpers/alerts.js';
import { fakeSlackForFile } from '../helpers/fake-slack.js';
import { captureLog } from '../helpers/log.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';

/**
 * A Slack notification made of several calls (a resolve: chat.update, then a reply in the
 * thread) records each call Slack answered OK as it goes: a retry, or a start after a kill,
 * resumes after it and never makes it again; and the send timeout bounds each call, not their sum.
 */
const { slack, apiUrl } = fakeSlackForFile();

const group = 'slack|{"participant":"bob"}';
const replies = (): number =>
  slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts).length;
const updates = (): number => slack.calls.filter((c) => c.method === 'chat.update').length;

function notifierIn(dir: string, clock: VirtualClock) {
  const store = new NotifyStore(dir);
  const notifier = slackNotifier.create(
    { token: slack.token, channel: '#noc', api_url: apiUrl() },
    { name: 'slack', clock, log: silentLogger(), memory: store.memory('slack') },
  );
  return { store, notifier };
}

describe('a Slack notification of several calls', () => {
  it('resumes after the last call Slack answered: a retry after a kill does not update again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-slack-steps-'));
    const clock = new VirtualClock(NOW);
    const signal = new AbortController().signal;
    const first = notifierIn(dir, clock);
    await first.notifier.send(notification({ id: 'n1', groupKey: group }), signal);
    // The resolve: chat.update works, the thread reply fails (Slack's internal_error).
    slack.modes['chat.postMessage'] = { kind: 'error', error: 'internal_error' };
    const resolve = notification({
      id: 'n2',
      groupKey: group,
      firing: [],
      resolved: [alert({ state: 'resolved' })],
    });
    await expect(first.notifier.send(resolve, signal)).rejects.toMatchObject({ retryable: true });
    expect(updates()).toBe(1);
    slack.modes = {};
    // A kill, then the retry from the saved state: only the reply is left to do.
    const after = notifierIn(dir, clock);
    await after.notifier.send(resolve, signal);
    expect(updates()).toBe(1);
    expect(replies()).toBe(2); // the refused one and the one that went through
    // Once more (the outbox's record of it lost in a kill): nothing is called again.
    const again = notifierIn(dir, clock);
    const calls = slack.calls.length;
    await again.notifier.send(resolve, signal);
    expect(slack.calls.length).toBe(calls);
    // Settled, the closed thread is forgotten: the next incident starts a new message.
    again.notifier.settled?.(resolve);
    await again.notifier.send(notification({ id: 'n3', groupKey: group }), signal);
    expect(slack.calls.at(-1)!.args.thread_ts).toBeUndefined();
  });

  it('bounds each call by the send timeout, not the sum: a slow Slack gets each step once', async () => {
    const clock = new VirtualClock(NOW);
    const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-slack-slow-')));
    const timing = { groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 4 * 3_600_000 };
    const d = testDispatcher({
      route: routeAll('slack', timing),
      receivers: receiversOf({
        slack: slackNotifier.create(
          { token: slack.token, channel: '#noc', api_url: apiUrl() },
          { name: 'slack', clock, log: silentLogger(), memory: store.memory('slack') },
        ),
      }),
      clock,
      store,
      // Each call answers in 1 s: one call fits in the 1.5 s limit, the two of a resolve do not.
      sendTimeoutMs: 1500,
    });
    slack.lateMs = 1000;
    d.ingest(changes(alert({ participant: 'bob' })));
    await d.tick();
    clock.advance(1000);
    d.ingest(changes(alert({ participant: 'bob', state: 'resolved', resolvedAt: clock.now() })));
    for (let i = 0; i < 5; i++) {
      await d.tick();
      clock.advance(60_000); // past any retry's backoff
    }
    expect(d.stats.failed.get('slack')).toBeUndefined();
    expect(d.outboxDepth).toBe(0);
    expect(updates()).toBe(1);
    expect(replies()).toBe(1);
  });

  /**
   * A thread record that is JSON but not one qoswatch wrote (`{}`, `5`: a hand-edited or damaged
   * notify.json or journal; stop 43 tester LOW, after 05d19d5) is as if nothing was posted.
   */
  it.each(['{}', '5', 'null', '"x"', '{"ts":1,"channel":"C1"}', '{"ts":"1.1"}', 'not json'])(
    'a thread record %s: a new message, never an update or a reply with no ts; logged once',
    async (bad) => {
      slack.lateMs = 0;
      slack.calls.length = 0;
      const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-slack-bad-record-')));
      const { log, lines } = captureLog('warn');
      const memory = store.memory('slack');
      const notifier = slackNotifier.create(
        { token: slack.token, channel: '#noc', api_url: apiUrl() },
        { name: 'slack', clock: new VirtualClock(NOW), log, memory },
      );
      memory.set(`thread:${group}`, bad);
      const signal = new AbortController().signal;
      await notifier.send(notification({ id: 'n1', groupKey: group }), signal);
      // Old code, for `{}` and `5`: chat.update with no ts and no channel, then a "reply" with no thread_ts.
      expect(slack.calls.map((c) => [c.method, c.args.thread_ts])).toEqual([['chat.postMessage', undefined]]);
      expect(JSON.parse(memory.get(`thread:${group}`)!)).toMatchObject({
        ts: slack.calls[0]!.ts,
        step: 'posted',
      });
      // The next notification goes to that new message's thread.
      await notifier.send(notification({ id: 'n2', groupKey: group }), signal);
      expect(slack.calls.slice(1).map((c) => [c.method, c.args.ts ?? c.args.thread_ts])).toEqual([
        ['chat.update', slack.calls[0]!.ts],
        ['chat.postMessage', slack.calls[0]!.ts],
      ]);
      expect(lines.filter((l) => l.msg.includes('not one qoswatch wrote'))).toHaveLength(1);
    },
  );
});
