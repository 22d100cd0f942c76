import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import { Deadline } from '../../src/util/deadline.js';
import { notification } from '../helpers/alerts.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { chatNotifier, notifyFailure } from '../helpers/slack-notifier.js';
import { ManualTimers } from '../helpers/manual-timers.js';

/**
 * A Slack that takes the request and never answers (hT45 L3): the daemon's notifier says it timed
 * out, naming delivery.timeout, as notify-test does; not "cannot reach Slack (23)" (23: the
 * DOMException code of the client's TimeoutError), and the client's own "http request failed"
 * warning is not a second line of the log beside the outbox's.
 */
const slack = new FakeSlack();
let url = '';
beforeAll(async () => {
  url = await slack.listen();
  slack.mode = { kind: 'hang' };
});
afterAll(() => slack.close());

/**
 * AbortSignal.timeout, which the client's own timer is (@slack/web-api: `timeout` is
 * `AbortSignal.timeout(timeout)` per call), on manual time: each such signal and the ms it was
 * asked for is kept, and aborts as a real one does (a TimeoutError) only when the test fires it.
 * The platform's timer is replaced, as fake timers would (they leave AbortSignal.timeout real).
 */
function manualAbortTimeouts() {
  const timers = new ManualTimers();
  const asked: number[] = [];
  const spy = vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => {
    asked.push(ms);
    const c = new AbortController();
    timers.set(() => c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')));
    return c.signal;
  });
  return { timers, asked, restore: () => spy.mockRestore() };
}

describe('a Slack notifier whose Slack never answers', () => {
  it("times out by the client's own timer, at delivery.timeout, and says so", async () => {
    const clientTimer = manualAbortTimeouts();
    const { n, lines } = chatNotifier(slack, url, 1000);
    // The send's deadline never fires here: only the client's timer (delivery.timeout) can end it.
    const deadline = new Deadline(1000, undefined, new ManualTimers());
    const arrived = new Promise<void>((resolve) => (slack.onCall = () => resolve()));
    let err: NotifyError;
    try {
      const sent = n.send(notification(), deadline.signal, () => undefined);
      await arrived; // Slack has the request and holds it: the client's time is up
      expect(clientTimer.asked).toEqual([1000]);
      expect(clientTimer.timers.fireAll()).toBe(1);
      err = await notifyFailure(sent);
    } finally {
      clientTimer.restore();
    }
    expect({ code: err.code, retryable: err.retryable, message: err.message }).toEqual({
      code: 'NOTIFY_TIMEOUT',
      retryable: true,
      message: 'chat: Slack did not answer within 1s (delivery.timeout)',
    });
    expect(lines.filter((l) => l.component === 'slack-web-api')).toEqual([]);
  });

  it('says the same when the send deadline (delivery.timeout) runs out first', async () => {
    const { n } = chatNotifier(slack, url, 30_000);
    const timers = new ManualTimers();
    const deadline = new Deadline(30_000, undefined, timers);
    const arrived = new Promise<void>((resolve) => (slack.onCall = () => resolve()));
    const sent = n.send(notification(), deadline.signal, () => undefined);
    await arrived; // Slack has the request and holds it
    timers.fireAll();
    const err = await notifyFailure(sent);
    expect(err.code).toBe('NOTIFY_TIMEOUT');
    expect(err.message).toBe('chat: Slack did not answer within 30s (delivery.timeout)');
  });
});
