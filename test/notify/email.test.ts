import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailNotifier, mailId } from '../../src/notify/plugins/email.js';
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
  emailNotifier.create(smtp.settings({ to: ['noc@example.com', 'av@example.com'] }), {
    name: 'mail',
    clock: new VirtualClock(NOW),
    log: silentLogger(),
    memory: new NotifyStore(undefined).memory('mail'),
  });

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
    expect(parsed.headers.get('x-qoswatch-notification-id')).toBe(mailId(n));
  });

  it('X-Qoswatch-Notification-Id arrives as written (header-safe ASCII, not RFC 2047), the id the text shows, the same on a retry', async () => {
    // A group key with quotes and a participant's name, as a real one: the id itself arrived
    // as `=?UTF-8?Q?mail=7C=7B=22alertname...?=`, folded, and a filter on it never matched.
    const n = notification({
      id: 'mail|{"alertname":"audio-latency-high","participant":"Zoë Ångström-Okafor"}#1764755000000#17',
      groupKey: 'mail|{"alertname":"audio-latency-high","participant":"Zoë Ångström-Okafor"}',
    });
    await mailer().send(n, new AbortController().signal);
    await mailer().send(n, new AbortController().signal); // a retry
    // The header as it came over SMTP: one line, unfolded and unencoded (nodemailer writes the
    // name as X-Qoswatch-Notification-ID; header names ignore case).
    const [first, retry] = smtp.mail
      .slice(-2)
      .map((m) => /^X-Qoswatch-Notification-Id: (.*)\r\n(?![ \t])/im.exec(m.raw)?.[1]);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(first).toBe(mailId(n));
    expect(retry).toBe(first);
    expect(smtp.mail.at(-1)!.parsed.text).toContain(`-- qoswatch, notification ${first}`);
    expect(mailId(notification({ id: `${n.id}0` }))).not.toBe(first);
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
