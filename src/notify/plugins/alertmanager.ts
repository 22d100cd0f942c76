import { httpUrlSchema, NOTIFIER_URL_MESSAGE } from '../../util/http-url.js';
import type { NotifierPlugin } from './notifier.js';
import { NotifyError } from './errors.js';
import { postJson } from './http.js';
import { boundedDuration } from '../../util/duration-schema.js';

/** An alert as Alertmanager's POST /api/v2/alerts takes it. */
interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export interface AlertmanagerSettings {
  /** Alertmanager's base URL, e.g. http://alertmanager:9093. */
  url: string;
  /** endsAt of a firing alert is this far ahead (`ends_after`); it is refreshed every repeat_interval. */
  endsAfterMs: number;
  headers?: Record<string, string>;
}

/**
 * Posts alerts to Alertmanager's /api/v2/alerts, so teams that route through Alertmanager get
 * its silences, inhibition and HA. Firing alerts are re-posted every minute (repeat_interval)
 * with endsAt moved ahead; a resolved alert is posted once with its end time.
 */
export const alertmanagerNotifier: NotifierPlugin<AlertmanagerSettings> = {
  type: 'alertmanager',
  description: "Posts alerts to an Alertmanager's /api/v2/alerts, refreshing endsAt while they fire.",
  properties: {
    url: httpUrlSchema(NOTIFIER_URL_MESSAGE),
    ends_after: boundedDuration(
      '1m',
      '24h',
      'How long Alertmanager keeps an alert firing without news. Default 5m.',
    ),
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['url'],
  create(o, ctx) {
    const endsAfter = o.endsAfterMs;
    // Joined to the path, not to the text, after which a query or a fragment (both refused by
    // config/notifier-http.ts) took /api/v2/alerts in.
    const target = new URL(o.url);
    target.pathname = `${target.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
    target.hash = '';
    const url = target.href;
    return {
      name: ctx.name,
      type: 'alertmanager',
      keepsAlive: true,
      async send(n, signal) {
        const now = ctx.clock.now();
        const toAm = (a: (typeof n.firing)[number], endsAt: number): AmAlert => ({
          labels: { ...a.labels, qoswatch: 'true' },
          annotations: { ...a.annotations, value: a.valueText, threshold: a.thresholdText },
          startsAt: new Date(a.firingSince ?? a.since).toISOString(),
          endsAt: new Date(endsAt).toISOString(),
          generatorURL: '',
        });
        const alerts = [
          ...n.firing.map((a) => toAm(a, now + endsAfter)),
          ...n.resolved.map((a) => toAm(a, a.resolvedAt ?? now)),
        ];
        if (n.kind === 'test')
          alerts.push({
            labels: { alertname: 'QoswatchTest', qoswatch: 'true' },
            annotations: { summary: 'qoswatch test notification' },
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + endsAfter).toISOString(),
          });
        if (!alerts.length) return;
        const post = (batch: readonly AmAlert[]): Promise<void> =>
          postJson(ctx.name, url, JSON.stringify(batch), o.headers ?? {}, signal, () => ctx.clock.now());
        await postAlerts(post, alerts, (msg) => ctx.log.warn(msg), ctx.name);
      },
    };
  },
};

/** A 400: Alertmanager refused (some of) what was posted as invalid. */
const badRequest = (err: unknown): err is NotifyError =>
  err instanceof NotifyError && err.refusal?.status === 400;

/** What Alertmanager said (a JSON string, or { message }), on one line, 300 characters at most. */
function reasonOf(err: NotifyError): string {
  const answer = err.refusal?.answer ?? '';
  let said: unknown = answer;
  try {
    said = JSON.parse(answer);
  } catch {
    // not JSON: the text as it is
  }
  const message = (said as { message?: unknown } | null)?.message;
  const text = typeof said === 'string' ? said : typeof message === 'string' ? message : answer;
  // Control characters (a newline would split the log line) become spaces.
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const shown = line || `HTTP ${err.refusal?.status}`;
  return shown.length > 300 ? `${shown.slice(0, 300)}...` : shown;
}

/**
 * Posts a notification's alerts in one request. Alertmanager v2 stores a batch's valid alerts and
 * answers 400 for the rest (a proxy in front of one may refuse the whole batch): on a 400 for more
 * than one alert, each is posted alone, so one bad alert cannot take the valid ones down with it.
 * Those refused alone are logged with Alertmanager's reason and dropped; the notification is
 * delivered when one was taken. When every one is refused, the batch's refusal is thrown (a
 * permanent failure, as before); any other failure is thrown for the dispatcher to retry.
 */
async function postAlerts(
  post: (batch: readonly AmAlert[]) => Promise<void>,
  alerts: readonly AmAlert[],
  warn: (msg: string) => void,
  name: string,
): Promise<void> {
  try {
    await post(alerts);
  } catch (err) {
    if (!badRequest(err) || alerts.length < 2) throw err;
    const refused: { alert: AmAlert; reason: string }[] = [];
    for (const alert of alerts)
      await post([alert]).catch((e: unknown) => {
        if (!badRequest(e)) throw e;
        refused.push({ alert, reason: reasonOf(e) });
      });
    if (refused.length === alerts.length) throw err;
    for (const { alert, reason } of refused)
      warn(
        `${name}: Alertmanager refused the alert ${alert.labels.alertname ?? '?'} (instance ${alert.labels.instance ?? '-'}): ${reason}; ` +
          `dropped, while the notification's other ${alerts.length - refused.length} were taken`,
      );
  }
}
