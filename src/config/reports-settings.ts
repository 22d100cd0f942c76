import type { ReportsSettings } from '../report/settings.js';
import { durationMs } from '../util/duration.js';
import { DEFAULTS } from './defaults.js';
import { problemAt, type ParseContext } from './parse-context.js';

/**
 * `reports:`: reports after every call. Its receivers must be notifiers of the file, and not
 * Alertmanager (which takes alerts, not reports); with none named, the top route's receiver.
 */
export function reportsSettings(ctx: ParseContext): ReportsSettings | undefined {
  const raw = ctx.raw.reports;
  if (!raw) return undefined;
  const notifiers = ctx.raw.notifiers ?? [];
  const fallback = ctx.raw.route?.receiver ?? notifiers[0]?.name;
  const receivers = raw.receivers ?? (fallback ? [fallback] : []);
  const send = raw.send ?? DEFAULTS.reports.send;
  raw.receivers?.forEach((name, i) => {
    const n = notifiers.find((x) => x.name === name);
    if (!n)
      problemAt(
        ctx,
        ['reports', 'receivers', i],
        `no notifier is named ${JSON.stringify(name)}; expected one of notifiers[].name (${notifiers.map((x) => x.name).join(', ') || 'none configured'})`,
      );
    else if (n.type === 'alertmanager')
      problemAt(
        ctx,
        ['reports', 'receivers', i],
        `${name} is an Alertmanager notifier, which takes alerts, not reports; expected an email, slack, webhook, console or module notifier`,
      );
  });
  if (send !== 'none' && !receivers.length)
    problemAt(
      ctx,
      ['reports'],
      'reports are to be sent but no notifier is configured; expected notifiers (and reports.receivers), or send: none',
      true,
    );
  return {
    send,
    receivers,
    keepMs: durationMs(raw.keep ?? DEFAULTS.reports.keep),
    delayMs: durationMs(raw.delay ?? DEFAULTS.reports.delay),
    source: raw.source ?? DEFAULTS.reports.source,
    ...(raw.reserve !== undefined ? { reserve: raw.reserve } : {}),
    giveUpAfterMs: durationMs(raw.give_up_after ?? DEFAULTS.reports.give_up_after),
  };
}
