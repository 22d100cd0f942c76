import { expect } from 'vitest';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { NOW } from './alerts.js';
import type { FakeSlack } from './fake-slack.js';
import { captureLog } from './log.js';

/** The daemon's Slack notifier `chat` against a fake Slack at `url`, with its log lines. */
export function chatNotifier(slack: FakeSlack, url: string, timeoutMs: number) {
  const { log, lines } = captureLog('info');
  const n = slackNotifier.create(
    { token: slack.token, channel: '#noc', api_url: url },
    {
      name: 'chat',
      clock: new VirtualClock(NOW),
      log,
      memory: new NotifyStore(undefined).memory('chat'),
      timeoutMs,
    },
  );
  return { n, lines };
}

/** The NotifyError `p` fails with (a test fails if it does not). */
export async function notifyFailure(p: Promise<unknown>): Promise<NotifyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotifyError);
  return err as NotifyError;
}
