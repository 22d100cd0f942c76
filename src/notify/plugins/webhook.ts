import { httpUrlSchema, NOTIFIER_URL_MESSAGE } from '../../util/http-url.js';
import { createHmac } from 'node:crypto';
import type { NotifierPlugin } from './notifier.js';
import { alertmanagerPayload, qoswatchPayload } from './payload.js';
import { postJson } from './http.js';

export interface WebhookSettings {
  url: string;
  /** `qoswatch` (default) or `alertmanager` (Alertmanager's v4 webhook shape). */
  format?: 'qoswatch' | 'alertmanager';
  /** Signs each request: X-Qoswatch-Signature: sha256=HMAC(secret, timestamp + "." + body). */
  secret?: string;
  headers?: Record<string, string>;
}

/**
 * The notification id as an HTTP header carries it: as it is when it is printable ASCII (the
 * body's `id`, byte for byte); otherwise each character outside that, and `%`, as the
 * percent-encoded bytes of its UTF-8, so that decodeURIComponent(header) is the body's `id`.
 * fetch refuses a header value beyond Latin-1: a group label such as `team: 运维` made every
 * notification of that group fail as a network error until it expired.
 */
function headerId(id: string): string {
  if (!/[^\x20-\x7e]/.test(id)) return id;
  return id.replace(/[^\x20-\x24\x26-\x7e]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** JSON POST to any URL, optionally signed. */
export const webhookNotifier: NotifierPlugin<WebhookSettings> = {
  type: 'webhook',
  description: 'POSTs JSON (qoswatch or Alertmanager v4 shape), optionally HMAC-signed, with custom headers.',
  properties: {
    url: httpUrlSchema(NOTIFIER_URL_MESSAGE),
    format: { enum: ['qoswatch', 'alertmanager'] },
    secret: { type: 'string', minLength: 1 },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['url'],
  secrets: ['secret'],
  create(o, ctx) {
    return {
      name: ctx.name,
      type: 'webhook',
      async send(n, signal) {
        const body = JSON.stringify(
          // A report has no Alertmanager shape: it goes in qoswatch's, whatever the format.
          o.format === 'alertmanager' && n.kind !== 'report' ? alertmanagerPayload(n) : qoswatchPayload(n),
        );
        const headers: Record<string, string> = {
          'x-qoswatch-notification-id': headerId(n.id),
          ...(o.headers ?? {}),
        };
        if (o.secret) {
          const ts = String(Math.floor(ctx.clock.now() / 1000));
          headers['x-qoswatch-timestamp'] = ts;
          headers['x-qoswatch-signature'] =
            `sha256=${createHmac('sha256', o.secret).update(`${ts}.${body}`).digest('hex')}`;
        }
        await postJson(ctx.name, o.url, body, headers, signal, () => ctx.clock.now());
      },
    };
  },
};
