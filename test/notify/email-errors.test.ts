import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { notification, NOW } from '../helpers/alerts.js';
import { TestSmtp } from '../helpers/smtp.js';

const servers: { close: () => Promise<void> }[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.close())));

async function sendTo(port: number, password: string, host = '127.0.0.1'): Promise<NotifyError> {
  const mailer = emailNotifier.create(
    {
      host,
      port,
      security: 'starttls',
      user: 'qoswatch',
      password,
      from: 'qoswatch@example.com',
      to: ['noc@example.com'],
      tls_verify: false,
    },
    {
      name: 'mail',
      clock: new VirtualClock(NOW),
      log: silentLogger(),
      memory: new NotifyStore(undefined).memory('mail'),
    },
  );
  try {
    await mailer.send(notification(), new AbortController().signal);
  } catch (err) {
    return err as NotifyError;
  } finally {
    await mailer.close?.();
  }
  throw new Error('sent');
}

describe('email notifier: failures that trying again will not fix', () => {
  it('"454 TLS not available" to STARTTLS is a permanent error with a hint, not a 24-hour retry', async () => {
    // A real SMTP dialogue from a server that offers STARTTLS and then refuses it.
    const server = createServer((socket) => {
      socket.write('220 mx.example.com ESMTP\r\n');
      socket.on('data', (d: Buffer) => {
        const cmd = d.toString().trim().split(' ')[0]!.toUpperCase();
        if (cmd === 'EHLO') socket.write('250-mx.example.com\r\n250 STARTTLS\r\n');
        else if (cmd === 'STARTTLS') socket.write('454 4.7.0 TLS not available due to temporary reason\r\n');
        else if (cmd === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('503 bad sequence\r\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    const err = await sendTo((server.address() as AddressInfo).port, 'x');
    expect(err).toBeInstanceOf(NotifyError);
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('NOTIFY_TLS');
    expect(err.message).toBe(
      'mail: the SMTP server would not start TLS (454); use the port and security the server offers (security: tls on 465), or security: none only on a network you trust',
    );
  });

  it('a refused login is permanent and says what to check', async () => {
    const smtp = new TestSmtp();
    const port = await smtp.listen();
    servers.push(smtp);
    const err = await sendTo(port, 'wrong-password');
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('NOTIFY_AUTH');
    expect(err.message).toBe(
      'mail: the SMTP server refused the login (535); check user and password (or password_file)',
    );
    expect(err.message).not.toContain('wrong-password');
  });
});

/**
 * A mail server that cannot be found or reached, said in words (outside tester hT43, LOW):
 * `notify-test` for a host that does not resolve said `cannot reach the SMTP server (EDNS)`,
 * nodemailer's code, the host not named. `.invalid` never resolves (RFC 6761): no network needed.
 */
describe('email notifier: a server that cannot be found or reached', () => {
  it('a host that does not resolve is named, with the DNS answer in words and what to check', async () => {
    const err = await sendTo(587, 'smtp-Pa55word', 'smtp.example.invalid');
    expect(err).toBeInstanceOf(NotifyError);
    expect(err.code).toBe('NOTIFY_NETWORK');
    expect(err.message).toMatch(
      /^mail: cannot resolve the SMTP host "smtp\.example\.invalid" \(DNS: (not found|no answer from the resolver for now)\); check the host of notifier mail$/,
    );
    expect(err.message).not.toContain('Pa55word');
  });

  it('a port nobody listens on: the server and port named, "connection refused"', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await sendTo(port, 'smtp-Pa55word');
    expect(err.code).toBe('NOTIFY_NETWORK');
    expect(err.message).toBe(
      `mail: cannot reach the SMTP server "127.0.0.1" on port ${port} (connection refused); check the host and port of notifier mail`,
    );
  });
});
