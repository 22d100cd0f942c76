import { createHash } from 'node:crypto';
import type { SendMailOptions, Transporter } from 'nodemailer';
import { classifySmtp } from './email-errors.js';
import { escapeHtml, oneLine } from './escape.js';
import type { Alert } from '../../evaluate/alert.js';
import { episodeSpan, headline, howBad, since, textLines, where, who } from './format.js';
import type { Notifier, NotifierPlugin } from './notifier.js';
import { isEpisode, title, type Notification } from './notification.js';
import { abortable } from './abortable.js';
import { readTlsFile } from '../../util/secret-file.js';

/** The e-mail kind's defaults that are not durations (config/defaults.ts re-uses them). */
export const EMAIL_DEFAULTS = { tls_verify: true } as const;

export interface EmailSettings {
  host: string;
  port?: number;
  /** `starttls` (default: upgrade, required), `tls` (implicit TLS, port 465) or `none`. */
  security?: 'starttls' | 'tls' | 'none';
  user?: string;
  password?: string;
  from: string;
  to: string[];
  /** Check the server's certificate (default true); a CA file for private CAs. */
  tls_verify?: boolean;
  ca_file?: string;
}

const SEVERITY_COLOUR: Record<string, string> = { critical: '#d32f2f', warning: '#f9a825' };

/** One alert's row: firing, resolved, or fired and resolved before anyone was told (an episode). */
function row(a: Alert, now: number, kind: 'firing' | 'resolved' | 'episode'): string {
  const colour = kind === 'resolved' ? '#2e7d32' : (SEVERITY_COLOUR[a.severity] ?? '#1976d2');
  const label = {
    firing: `FIRING [${escapeHtml(a.severity)}]`,
    resolved: 'RESOLVED',
    episode: `FIRED AND RESOLVED [${escapeHtml(a.severity)}]`,
  }[kind];
  const when = {
    firing: `since ${escapeHtml(since(a, now))}`,
    resolved: `ended (${escapeHtml(a.reason ?? 'recovered')}), fired ${escapeHtml(since(a, now))}`,
    episode: escapeHtml(episodeSpan(a)),
  }[kind];
  return (
    `<tr><td style="padding:6px;border-left:4px solid ${colour}">` +
    `<b>${label}</b> ${escapeHtml(headline(a))}<br>` +
    `${escapeHtml(howBad(a))} (threshold ${escapeHtml(a.thresholdText)})<br>` +
    `${escapeHtml(who(a))}${where(a) ? ` · ${escapeHtml(where(a))}` : ''}<br>` +
    `<small>${when}</small></td></tr>`
  );
}

function html(n: Notification, now: number, id: string): string {
  const rows = [
    ...n.firing.map((a) => row(a, now, 'firing')),
    ...n.resolved.map((a) => row(a, now, isEpisode(n, a) ? 'episode' : 'resolved')),
  ].join('');
  const intro = n.kind === 'alert' ? '' : `<p>${textLines(n, now).map(escapeHtml).join('<br>')}</p>`;
  return `<!doctype html><html><body style="font-family:sans-serif">${intro}<table style="border-collapse:collapse">${rows}</table><p><small>qoswatch, notification ${id}</small></p></body></html>`;
}

/**
 * nodemailer's timers, from `delivery.timeout`: a server that accepts and never greets costs one
 * timeout, and its socket does not outlive the call (nodemailer's own 15 s and 30 s kept it, and
 * a `notify-test` with it, alive long after the send had been given up).
 */
const timeouts = (ms: number | undefined): Record<string, number> =>
  ms === undefined ? {} : { connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms };

/**
 * The notifier's SMTP transport, made at the first send (nodemailer is imported when an e-mail
 * notifier is first used, not at every start); the CA file is read now, when it is built.
 */
/** The SMTP port: the one set, or 465 for implicit TLS and 587 (submission) otherwise. */
const smtpPort = (o: EmailSettings): number => o.port ?? (o.security === 'tls' ? 465 : 587);

function emailTransport(
  o: EmailSettings,
  timeoutMs: number | undefined,
): { get: () => Promise<Transporter>; close: () => Promise<void> } {
  const security = o.security ?? 'starttls';
  const ca = o.ca_file ? readTlsFile(o.ca_file, 'ca_file') : undefined;
  let transporter: Promise<Transporter> | undefined;
  const get = (): Promise<Transporter> =>
    (transporter ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: o.host,
        port: smtpPort(o),
        secure: security === 'tls',
        requireTLS: security === 'starttls',
        ignoreTLS: security === 'none',
        ...(o.user ? { auth: { user: o.user, pass: o.password ?? '' } } : {}),
        tls: {
          rejectUnauthorized: o.tls_verify ?? EMAIL_DEFAULTS.tls_verify,
          ...(ca ? { ca } : {}),
        },
        ...timeouts(timeoutMs),
      }),
    ));
  return {
    get,
    close: async () => {
      (await transporter)?.close();
    },
  };
}

/**
 * The notification's id as an e-mail carries it: 32 hex digits of its SHA-256, the same on every
 * retry. The id itself (`mail|{"alertname":...}#...`, with quotes and maybe a participant's
 * name) reached the receiver RFC 2047-encoded and folded, so a filter on it never matched.
 */
export function mailId(n: Notification): string {
  return createHash('sha256').update(n.id).digest('hex').slice(0, 32);
}

/** The e-mail of a notification: text and HTML parts, its id at the foot; a report after a call attached. */
function mail(o: EmailSettings, n: Notification, now: number): SendMailOptions {
  const id = mailId(n);
  return {
    from: o.from,
    to: o.to,
    subject: oneLine(title(n)),
    text: textLines(n, now).join('\n') + `\n\n-- qoswatch, notification ${id}\n`,
    html: html(n, now, id),
    headers: { 'X-Qoswatch-Notification-Id': id },
    // A report after a call: the report itself, attached.
    ...(n.report?.body
      ? {
          attachments: [
            {
              filename: n.report.body.attachment.filename,
              content: n.report.body.attachment.content,
              contentType: n.report.body.attachment.contentType,
            },
          ],
        }
      : {}),
  };
}

/** SMTP through nodemailer (STARTTLS or TLS, with auth): HTML and text parts, one digest per group. */
export const emailNotifier: NotifierPlugin<EmailSettings> = {
  type: 'email',
  description: 'E-mail over SMTP (nodemailer): STARTTLS/TLS, auth, HTML and text digest.',
  properties: {
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    security: { enum: ['starttls', 'tls', 'none'] },
    user: { type: 'string', minLength: 1 },
    password: { type: 'string', minLength: 1 },
    from: { type: 'string', minLength: 3 },
    to: { type: 'array', items: { type: 'string', minLength: 3 }, minItems: 1 },
    tls_verify: { type: 'boolean' },
    ca_file: { type: 'string', minLength: 1 },
  },
  required: ['host', 'from', 'to'],
  secrets: ['password'],
  create(o, ctx): Notifier {
    const transport = emailTransport(o, ctx.timeoutMs);
    return {
      name: ctx.name,
      type: 'email',
      async send(n, signal) {
        const now = ctx.clock.now();
        try {
          await abortable(
            // nodemailer ends the connection when the signal aborts (the send is given up).
            transport.get().then((t) => t.sendMail({ ...mail(o, n, now), signal })),
            signal,
          );
        } catch (err) {
          if (signal.aborted) throw err;
          throw classifySmtp(ctx.name, err, { host: o.host, port: smtpPort(o) });
        }
      },
      close: () => transport.close(),
    };
  },
};
