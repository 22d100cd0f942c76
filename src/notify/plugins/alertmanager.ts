import { httpUrlSchema, NOTIFIER_URL_MESSAGE } from '../../util/http-url.js';
import type { NotifierPlugin } from './notifier.js';
import { postJson } from './http.js';
import { boundedDuration } from '../../util/duration-schema.js';
import { postAlerts, splitKey, type AmAlert } from './alertmanager-split.js';
import { RefusalsSaid } from './alertmanager-refusals.js';
import { NotifyError, permanent } from './errors.js';
import { valueShown } from './notification.js';
import { worstAnnotation } from './payload.js';

/** How long the test alert of `qoswatch notify-test` stays active in Alertmanager. */
const TEST_ALERT_MS = 2 * 60_000;

/**
 * A 404 from Alertmanager: nothing answers at url + /api/v2/alerts, most often because the url
 * already named the API (`http://am:9093/api/v2`); the error says the url is the base.
 */
function withNotFoundHint(err: unknown): unknown {
  if (!(err instanceof NotifyError) || err.refusal?.status !== 404) return err;
  const hinted = permanent(
    err.code,
    `${err.message}: no Alertmanager API at the url; qoswatch appends /api/v2/alerts to it, so expected Alertmanager's base URL such as http://alertmanager:9093 (not one ending in /api/v2 or /alerts)`,
  );
  hinted.refusal = err.refusal;
  return hinted;
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
    const said = new RefusalsSaid();
    return {
      name: ctx.name,
      type: 'alertmanager',
      keepsAlive: true,
      async send(n, signal, nextCall = () => undefined) {
        const now = ctx.clock.now();
        const toAm = (a: (typeof n.firing)[number], endsAt: number): AmAlert => ({
          labels: { ...a.labels, qoswatch: 'true' },
          annotations: { ...worstAnnotation(a), value: valueShown(n, a), threshold: a.thresholdText },
          startsAt: new Date(a.firingSince ?? a.since).toISOString(),
          endsAt: new Date(endsAt).toISOString(),
          generatorURL: '',
        });
        const alerts = [
          ...n.firing.map((a) => toAm(a, now + endsAfter)),
          ...n.resolved.map((a) => toAm(a, a.resolvedAt ?? now)),
        ];
        // notify-test: routed like any alert (that is the test), labelled so a route can send it
        // elsewhere, and short-lived (docs/notifications.md).
        if (n.kind === 'test')
          alerts.push({
            labels: { alertname: 'QoswatchTest', qoswatch: 'true', qoswatch_test: 'true' },
            annotations: {
              summary: 'qoswatch test notification (ends by itself in 2 minutes)',
            },
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + TEST_ALERT_MS).toISOString(),
          });
        if (!alerts.length) return;
        const post = (batch: readonly AmAlert[]): Promise<void> =>
          postJson(ctx.name, url, JSON.stringify(batch), o.headers ?? {}, signal, () =>
            ctx.clock.now(),
          ).catch((err: unknown) => {
            throw withNotFoundHint(err);
          });
        return postAlerts(alerts, {
          name: ctx.name,
          post,
          warn: (msg) => ctx.log.warn(msg),
          memory: ctx.memory,
          key: splitKey(n.id),
          nextCall,
          secrets: Object.values(o.headers ?? {}),
          said,
          now,
        });
      },
      settled(n) {
        // What a split kept to resume goes with the notification (read first: most have none).
        if (ctx.memory.get(splitKey(n.id)) !== undefined) ctx.memory.delete(splitKey(n.id));
      },
    };
  },
};
