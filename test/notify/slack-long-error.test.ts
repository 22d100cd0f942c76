import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import { Deadline } from '../../src/util/deadline.js';
import { processSecrets } from '../../src/util/log-secrets.js';
import { notification } from '../helpers/alerts.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { chatNotifier, notifyFailure } from '../helpers/slack-notifier.js';
import { ManualTimers } from '../helpers/manual-timers.js';

/**
 * A Slack `error` that is no code, longer than the 256 KiB whose text may be shown (rA45 F1):
 * d70c321 hid its first 256 KiB and showed the first 100 characters of what hiding left; hiding
 * shrinks the text, so those could come from the cut, where the token is cut in two and its first
 * part no longer known: 30 characters of the bot token were shown. Now only its length is.
 */
const TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const BOUND = 256 * 1024;
const slack = new FakeSlack();
let url = '';
beforeAll(async () => {
  url = await slack.listen();
  processSecrets.add([TOKEN]);
});
afterAll(() => slack.close());

/** `s` percent-encoded `k` + 1 times, one character at a time (`%2525...78` for `x`). */
const layered = (s: string, k: number): string =>
  Array.from(
    s,
    (c) => `%${'25'.repeat(k)}${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');

async function sendFails(error: string): Promise<NotifyError> {
  slack.mode = { kind: 'error', error };
  const { n } = chatNotifier(slack, url, 30_000);
  const deadline = new Deadline(30_000, undefined, new ManualTimers());
  return notifyFailure(n.send(notification(), deadline.signal, () => undefined));
}

describe('a Slack error that is no code, longer than the text that is shown', () => {
  it('shows its length only: no first part of a token cut by the bound', async () => {
    // One long form of the token (hidden as 10 characters), then the token itself across the bound.
    let k = 1;
    while (layered(TOKEN, k + 1).length < BOUND - 30) k++;
    const form = layered(TOKEN, k);
    const error = `${form}${'x'.repeat(BOUND - form.length - 30)}${TOKEN} tail`;
    expect(error.indexOf(TOKEN)).toBe(BOUND - 30);
    const err = await sendFails(error);
    // d70c321: 'chat: Slack error: "[redacted]xxxx...xoxb-1234567890-0987654321-AbC..." (262170 characters)'.
    expect(err.message).not.toContain(TOKEN.slice(0, 8));
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'NOTIFY_SERVER_ERROR',
      message: `chat: Slack error: a ${error.length}-character error, not shown`,
    });
  });

  it('shows one of the bound hidden whole, then cut at 100 characters', async () => {
    const fill = BOUND - 95 - TOKEN.length;
    const error = `${'e'.repeat(95)}${TOKEN}${'\\u{'.repeat(Math.floor(fill / 3))}${'z'.repeat(fill % 3)}`;
    expect(error.length).toBe(BOUND);
    const err = await sendFails(error);
    expect(err.message).toBe(`chat: Slack error: "${'e'.repeat(95)}[reda..." (${BOUND} characters)`);
  });
});
