import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * A receiver that times out or cannot be reached backs off as a whole: one attempt a pass, and
 * its other notifications wait with the failed one, instead of each paying `delivery.timeout`
 * in turn (a dead SMTP server with 28 e-mails queued cost 28 timeouts a pass). The timeout is
 * the test's timer (ManualTimers), fired once the server holds the connection.
 */
const timing = { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 };
const PEOPLE = Array.from({ length: 28 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);

let smtp: SMTPServer;
let smtpPort = 0;
/** Connections the SMTP server saw, and of them those it never greeted (while `answer` is false). */
let connections = 0;
let hanging = 0;
let answer = false;
/** The participants of the e-mails accepted, in the order they arrived. */
let accepted: string[] = [];
beforeEach(async () => {
  connections = 0;
  hanging = 0;
  answer = false;
  accepted = [];
  smtp = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 50,
    onConnect: (_session, callback) => {
      connections++;
      if (answer) callback();
      else hanging++;
    },
    onData: (stream, _session, callback) => {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
      stream.on('end', () => {
        accepted.push(/\b(p\d\d) has 450 ms/.exec(text)?.[1] ?? '?');
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterEach(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

function mailDispatcher(clock: VirtualClock, timers: ManualTimers, port: number): Dispatcher {
  const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-backoff-')));
  const ctx = { name: 'mail', clock, log: silentLogger(), memory: store.memory('mail') };
  return testDispatcher({
    route: routeAll('mail', timing),
    receivers: receiversOf({
      mail: emailNotifier.create(
        { host: '127.0.0.1', port, security: 'none', from: 'q@example.com', to: ['noc@example.com'] },
        ctx,
      ),
    }),
    clock,
    store,
    sendTimeoutMs: 30_000,
    timers,
  });
}

describe('a receiver that times out', () => {
  it('is tried once a pass: its 28 queued e-mails wait with the first, then all go in order', async () => {
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const d = mailDispatcher(clock, timers, smtpPort);
    d.ingest(PEOPLE.flatMap((p) => changes(alert({ participant: p }))));

    // The server takes the connection and never greets: one timeout, not 28.
    expect(await pass(d, timers, () => hanging)).toBe(1);
    expect(connections).toBe(1);
    expect(d.stats.failed.get('mail')?.get('NOTIFY_TIMEOUT')).toBe(1);
    expect(d.outboxDepth).toBe(28);
    // All of them wait for the backoff (1 s, jitter 0.75): a pass before it tries none,
    // not even a notification queued meanwhile.
    expect(d.nextDueAt()).toBe(NOW + 750);
    d.ingest(changes(alert({ participant: 'p29' })));
    expect(await pass(d, timers, () => hanging)).toBe(0);
    expect(connections).toBe(1);

    // Still down after the backoff: again one attempt, and the wait doubles.
    clock.advance(750);
    expect(await pass(d, timers, () => hanging)).toBe(1);
    expect(connections).toBe(2);
    expect(d.nextDueAt()).toBe(NOW + 750 + 1500);

    // Back up: everything goes in one pass, oldest first.
    answer = true;
    clock.advance(1500);
    expect(await pass(d, timers, () => hanging)).toBe(0);
    expect(accepted).toEqual([...PEOPLE, 'p29']);
    expect(d.outboxDepth).toBe(0);
    expect(d.stats.failed.get('mail')?.get('NOTIFY_TIMEOUT')).toBe(2);
    await d.close();
  });

  it('that refuses connections is tried once a pass too', async () => {
    // A port nothing listens on: every connection is refused at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const d = mailDispatcher(clock, timers, closed);
    d.ingest(PEOPLE.flatMap((p) => changes(alert({ participant: p }))));
    await d.tick();
    expect(d.stats.failed.get('mail')?.get('NOTIFY_NETWORK')).toBe(1);
    expect(d.outboxDepth).toBe(28);
    expect(d.nextDueAt()).toBe(NOW + 750);
    await d.close();
  });
});

describe('a receiver that answers a server error', () => {
  let hook: TestServer;
  beforeEach(async () => {
    // A 500 for p01's notification only: it may be about that one message.
    hook = new TestServer((r, res) => json(res, r.body.includes('"p01"') ? 500 : 200, {}));
    await hook.listen();
  });
  afterEach(async () => hook.close());

  it('goes on with its other notifications in the same pass', async () => {
    const clock = new VirtualClock(NOW);
    const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-backoff-5xx-')));
    const ctx = { name: 'hook', clock, log: silentLogger(), memory: store.memory('hook') };
    const d = testDispatcher({
      route: routeAll('hook', timing),
      receivers: receiversOf({ hook: webhookNotifier.create({ url: `${hook.url}/hook` }, ctx) }),
      clock,
      store,
    });
    d.ingest(PEOPLE.slice(0, 5).flatMap((p) => changes(alert({ participant: p }))));
    await d.tick();
    expect(hook.received).toHaveLength(5);
    expect(d.stats.failed.get('hook')?.get('NOTIFY_SERVER_ERROR')).toBe(1);
    expect(d.stats.sent.get('hook')).toBe(4);
    expect(d.outboxDepth).toBe(1);
  });
});
