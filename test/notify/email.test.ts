import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, notification, NOW } from '../helpers/alerts.js';
import { TestSmtp } from '../helpers/smtp.js';

const smtp = new TestSmtp();
beforeAll(async () => {
  await smtp.listen();
});
afterAll(async () => smtp.close());

const mailer = () =>
  emailNotifier.create(
    {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'starttls',
      user: smtp.user,
      password: smtp.password,
      from: 'qoswatch@example.com',
      to: ['noc@example.com', 'av@example.com'],
      tls_verify: false,
    },
    {
      name: 'mail',
      clock: new VirtualClock(NOW),
      log: silentLogger(),
      memory: new NotifyStore(undefined).memory('mail'),
    },
  );

describe('email notifier', () => {
  it('sends a digest over STARTTLS with auth: subject says what and how many, HTML and text parts', async () => {
    const n = notification({
      firing: [alert(), alert({ participant: 'ann' })],
      resolved: [alert({ participant: 'cy', state: 'resolved' })],
    });
    await mailer().send(n, new AbortController().signal);
    const { parsed, secure, user } = smtp.mail.at(-1)!;
    expect(secure).toBe(true);
    expect(user).toBe(smtp.user);
    expect(parsed.subject).toBe('[FIRING:2] [RESOLVED:1] audio-latency-high in "Weekly sync"');
    expect(parsed.to).toMatchObject({ text: 'noc@example.com, av@example.com' });
    expect(parsed.text).toContain('FIRING [warning] bob has 450 ms audio latency');
    expect(parsed.text).toContain('RESOLVED (recovered) cy has 450 ms');
    expect(parsed.html).toContain('<b>FIRING [warning]</b>');
    expect(parsed.headers.get('x-qoswatch-notification-id')).toBe(n.id);
  });

  it('escapes HTML from Zoom: a <script> name runs nothing, and a subject cannot be split', async () => {
    const evil = alert({
      annotations: { summary: '<script>alert(1)</script> has 450 ms' },
      context: { participant: '<img src=x onerror=alert(1)>', topic: 'Topic\r\nBcc: x@evil.test' },
    });
    await mailer().send(notification({ firing: [evil] }), new AbortController().signal);
    const { parsed } = smtp.mail.at(-1)!;
    expect(parsed.html).not.toContain('<script>');
    expect(parsed.html).not.toContain('<img');
    expect(parsed.html).toContain('&lt;script&gt;');
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).not.toContain('\n');
  });
});
