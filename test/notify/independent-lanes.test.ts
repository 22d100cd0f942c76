import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';

/**
 * Each receiver (destination) delivers on its own lane: an SMTP server that takes the message
 * and never answers holds up only the e-mails, while the webhook gets every notification at
 * once. Time is the injected clock, held still but for one group_interval, and the e-mail's
 * one attempt is still hanging when the webhook has had all of them.
 */
let hook: TestServer;
let smtp: SMTPServer;
let smtpPort = 0;
let mailAttempts = 0;
beforeEach(async () => {
  hook = new TestServer();
  await hook.listen();
  mailAttempts = 0;
  smtp = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 50,
    // Takes the message and never says whether it was accepted.
    onData: (stream) => {
      mailAttempts++;
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterEach(async () => {
  await hook.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const timing = { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 };
describe('a destination that hangs', () => {
  it('delays only its own notifications: the webhook gets each one at once meanwhile', async () => {
    const clock = new VirtualClock(NOW);
    const release = clock.hold(); // time moves only when the test says
    const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-lanes-')));
    const ctx = (name: string) => ({ name, clock, log: silentLogger(), memory: store.memory(name) });
    const d = testDispatcher({
      route: routeAll('hook', timing, [routeAll('mail', timing), routeAll('hook', timing)]),
      receivers: receiversOf({
        hook: webhookNotifier.create({ url: `${hook.url}/hook` }, ctx('hook')),
        mail: emailNotifier.create(
          {
            host: '127.0.0.1',
            port: smtpPort,
            security: 'none',
            from: 'q@example.com',
            to: ['noc@example.com'],
          },
          ctx('mail'),
        ),
      }),
      clock,
      store,
      // Longer than the test: the e-mail attempt hangs all along.
      sendTimeoutMs: 120_000,
    });
    const stop = new AbortController();
    const running = d.run(stop.signal);
    const statuses = (): string[] =>
      hook.received.map((r) => {
        const b = JSON.parse(r.body) as { status: string; alerts: { labels: Record<string, string> }[] };
        return `${b.alerts.map((a) => a.labels.participant).join(',')}:${b.status}`;
      });

    d.ingest(changes(alert({ participant: 'ann' })));
    await vi.waitFor(() => expect(mailAttempts).toBe(1), { timeout: 20_000, interval: 20 });
    await vi.waitFor(() => expect(statuses()).toEqual(['ann:firing']), { timeout: 20_000, interval: 20 });

    // The e-mail of ann hangs; bob's firing and ann's resolve reach the webhook anyway.
    d.ingest(changes(alert({ participant: 'bob' })));
    await vi.waitFor(() => expect(statuses()).toEqual(['ann:firing', 'bob:firing']), {
      timeout: 20_000,
      interval: 20,
    });
    // Ann's resolve waits for its group's group_interval (1 min), no longer.
    clock.advance(60_000);
    d.ingest(changes(alert({ participant: 'ann', state: 'resolved', resolvedAt: NOW + 60_000 })));
    await vi.waitFor(() => expect(statuses()).toEqual(['ann:firing', 'bob:firing', 'ann:resolved']), {
      timeout: 20_000,
      interval: 20,
    });
    expect(clock.now()).toBe(NOW + 60_000); // the injected clock moved by the group_interval only
    expect(mailAttempts).toBe(1); // and the e-mail is still in its first attempt
    expect(d.stats.failed.get('mail')).toBeUndefined();
    // The e-mails wait in the outbox: ann's firing (in flight), bob's, ann's resolve after it.
    expect(store.outbox().filter((i) => i.notification.receiver === 'mail')).toHaveLength(3);

    stop.abort();
    await running;
    release();
    await d.close();
  });
});
