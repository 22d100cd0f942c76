import type { Alert } from '../evaluate/alert.js';
import { formatDuration } from '../util/duration.js';
import type { Notification } from './notification.js';

/** Words shared by every channel; each notifier escapes them for itself. */
export function headline(a: Alert): string {
  return a.annotations.summary ?? `${a.rule}: ${a.valueText}`;
}

export function who(a: Alert): string {
  const c = a.context;
  if (c.group)
    return `${c.groupBy ?? 'group'} ${c.group}: ${c.breaching ?? 0} of ${c.participants ?? 0} participants`;
  if (c.participant) return `${c.participant}${c.topic ? ` in "${c.topic}"` : ''}`;
  return c.topic
    ? `"${c.topic}" (${c.breaching ?? 0} of ${c.participants ?? 0} participants)`
    : (c.instanceId ?? '');
}

export function where(a: Alert): string {
  const c = a.context;
  return [c.location, c.dataCenter && `DC ${c.dataCenter}`, c.networkType, c.device, c.stream]
    .filter(Boolean)
    .join(' · ');
}

export function since(a: Alert, now: number): string {
  const start = a.firingSince ?? a.since;
  const end = a.resolvedAt ?? now;
  return `${new Date(start).toISOString().replace(/\.\d{3}Z$/, 'Z')} (${formatDuration(Math.max(0, end - start))}${a.resolvedAt ? '' : ' so far'})`;
}

/** Plain-text lines describing a notification: the console, e-mail text part, Slack fallback. */
export function textLines(n: Notification, now: number): string[] {
  if (n.kind === 'test')
    return ['This is a test notification from qoswatch. If you can read it, this notifier works.'];
  const lines: string[] = [];
  if (n.kind === 'summary' && n.heldBack) {
    lines.push(
      `${n.heldBack.count} notifications (${n.heldBack.alerts} alert changes) were held back by the rate limit since ${new Date(n.heldBack.since).toISOString()}.`,
    );
    if (n.firing.length) lines.push(`Firing now: ${n.firing.length}.`);
  }
  for (const a of n.firing) {
    lines.push(`FIRING [${a.severity}] ${headline(a)}`);
    lines.push(
      `  ${a.valueText} (threshold ${a.thresholdText}) · ${who(a)}${where(a) ? ` · ${where(a)}` : ''} · since ${since(a, now)}`,
    );
  }
  for (const a of n.resolved) {
    lines.push(`RESOLVED (${a.reason ?? 'recovered'}) ${headline(a)}`);
    lines.push(`  ${who(a)} · was firing since ${since(a, now)}`);
  }
  return lines;
}
