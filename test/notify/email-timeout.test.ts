import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { notification, NOW } from '../helpers/alerts.js';
import { HungSmtp } from '../helpers/smtp.js';

/**
 * An SMTP server that takes the connection and never greets (outside tester, stop 29:
 * `notify-test` took 15.4 s with `delivery.timeout: 3s`): a send given up ends its connection,
 * and nodemailer's own timers are delivery.timeout, not its 15 s and 30 s.
 */
let smtp: HungSmtp;
beforeEach(async () => {
  smtp = new HungSmtp();
  await smtp.listen();
});
afterEach(async () => smtp.close());

const mailer = (timeoutMs: number) =>
  emailNotifier.create(
    {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
      from: 'qoswatch@example.com',
      to: ['noc@example.com'],
    },
    {
      name: 'mail',
      clock: new VirtualClock(NOW),
      log: silentLogger(),
      memory: new NotifyStore(undefined).memory('mail'),
      timeoutMs,
    },
  );

describe('email notifier and a server that never greets', () => {
  it('a send given up (its signal aborts) ends the connection at once, not at a timer of its own', async () => {
    // Timers of 10 minutes: only the abort can end the connection within the test's time.
    const notifier = mailer(600_000);
    const stop = new AbortController();
    const sent = notifier.send(notification(), stop.signal);
    await smtp.until((s) => s.connections === 1);
    stop.abort(new DOMException('given up', 'TimeoutError'));
    await expect(sent).rejects.toThrow('given up');
    await smtp.until((s) => s.closed === 1);
    await notifier.close?.();
  }, 8_000); // generous; the old code left the connection open for nodemailer's 15 s greeting timeout

  it("nodemailer's own timeouts are delivery.timeout, and one is NOTIFY_TIMEOUT, retryable", async () => {
    const notifier = mailer(50);
    const err = await notifier.send(notification(), new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NotifyError);
    expect(err).toMatchObject({
      code: 'NOTIFY_TIMEOUT',
      retryable: true,
      message: 'mail: the SMTP server "127.0.0.1" did not answer in time',
    });
    await smtp.until((s) => s.closed === 1);
    await notifier.close?.();
  });
});
