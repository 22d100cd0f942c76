import type { Alert } from '../../evaluate/alert.js';
import { instanceName } from '../../evaluate/instance-name.js';
import { worstShownApart } from '../../evaluate/worst-text.js';
import { humanDuration, plural, shareOf } from '../../util/words.js';
import { isEpisode, type Notification } from './notification.js';

/** Words shared by every channel; each notifier escapes them for itself. */
export function headline(a: Alert): string {
  return a.annotations.summary ?? `${a.rule}: ${howBad(a)}`;
}

/**
 * How bad it is or was, in words, for every channel. Firing: the newest value, and the worst
 * so far when an earlier sample was worse (`350 ms, worst so far 500 ms`). Resolved (fired and
 * resolved too): the worst of its episode, and its last sample apart, labelled (`worst 600 ms,
 * last sample 55 ms`), never the last sample alone as what it was: a leaver's may be under the
 * threshold. An alert saved by a qoswatch before alerts kept their worst says what it last fired
 * with, when known.
 */
export function howBad(a: Alert): string {
  if (a.state !== 'resolved')
    return worstShownApart(a) ? `${a.valueText}, worst so far ${a.worstText}` : a.valueText;
  const worst =
    a.worstText !== undefined
      ? `worst ${a.worstText}`
      : a.firedValueText !== undefined
        ? `last fired with ${a.firedValueText}`
        : '';
  // A group's value is a count of its members now: its last, not a sample.
  const last = `${a.scope === 'participant' ? 'last sample' : 'last'} ${a.valueText}`;
  if (!worst) return last;
  return a.worstText !== undefined && !worstShownApart(a) ? worst : `${worst}, ${last}`;
}

export function who(a: Alert): string {
  const c = a.context;
  // Firing: who breaches; resolved: who recovered (the rest still breach, under the rule's share).
  // A group that did not recover (its breaching members left, it emptied, its meeting ended)
  // has no count here: its headline says what happened (the `gone` field).
  const total = c.participants ?? 0;
  const count =
    a.state !== 'resolved'
      ? shareOf(c.breaching ?? 0, total)
      : (a.reason ?? 'recovered') === 'recovered'
        ? `${shareOf(total - (c.breaching ?? 0), total)} recovered`
        : '';
  if (c.group) return `${c.groupBy ?? 'group'} ${c.group}${count ? `: ${count}` : ''}`;
  const name = instanceName(c);
  if (c.participant) return `${c.participant}${name ? ` in ${name}` : ''}`;
  return name ? `${name}${count ? ` (${count})` : ''}` : '';
}

export function where(a: Alert): string {
  const c = a.context;
  return [c.location, c.dataCenter && `DC ${c.dataCenter}`, c.networkType, c.device, c.stream]
    .filter(Boolean)
    .join(' · ');
}

/** Zoom makes one QoS sample a minute. */
const SAMPLE_INTERVAL_MS = 60_000;

/**
 * When it began and for how long, in sample time ("2026-05-04T09:28:00Z (7 min so far)"), and
 * how old the newest data is when that is more than two sample intervals: a page about data
 * six minutes old says so.
 */
export function since(a: Alert, now: number): string {
  const start = `${new Date(a.since).toISOString().replace(/\.\d{3}Z$/, 'Z')} (${humanDuration(a.durationMs)}${a.state === 'resolved' ? '' : ' so far'})`;
  const age = now - a.lastSampleAt;
  return a.state !== 'resolved' && age > 2 * SAMPLE_INTERVAL_MS
    ? `${start}; newest data ${humanDuration(age)} old`
    : start;
}

const stamp = (t: number | undefined): string =>
  t === undefined ? '?' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * An alert that fired and resolved before its receiver was told it fires, in one phrase: when
 * it fired and resolved, and since when and how long it breached ("fired 2026-05-04T09:29:00Z,
 * resolved 2026-05-04T09:30:00Z (left); breached from 2026-05-04T09:28:00Z (4 min)").
 */
export function episodeSpan(a: Alert): string {
  return `fired ${stamp(a.firingSince)}, resolved ${stamp(a.resolvedAt)} (${a.reason ?? 'recovered'}); breached from ${since(a, a.resolvedAt ?? a.lastSampleAt)}`;
}

/** Plain-text lines describing a notification: the console, e-mail text part, Slack fallback. */
export function textLines(n: Notification, now: number): string[] {
  if (n.kind === 'test')
    return ['This is a test notification from qoswatch. If you can read it, this notifier works.'];
  if (n.kind === 'report' && n.report)
    return [
      n.report.headline,
      n.report.body
        ? `The report is attached (${n.report.body.attachment.filename}); qoswatch serves it at ${n.report.path}.`
        : `qoswatch serves the report at ${n.report.path}.`,
    ];
  const lines: string[] = [];
  if (n.kind === 'summary' && n.heldBack) {
    lines.push(
      `${plural(n.heldBack.count, 'notification')} (${plural(n.heldBack.alerts, 'alert change')}) ${n.heldBack.count === 1 ? 'was' : 'were'} held back by the rate limit since ${new Date(n.heldBack.since).toISOString()}.`,
    );
    if (n.firing.length) lines.push(`Firing now: ${n.firing.length}.`);
  }
  for (const a of n.firing) {
    lines.push(`FIRING [${a.severity}] ${headline(a)}`);
    lines.push(
      `  ${howBad(a)} (threshold ${a.thresholdText}) · ${who(a)}${where(a) ? ` · ${where(a)}` : ''} · since ${since(a, now)}`,
    );
  }
  for (const a of n.resolved) {
    if (isEpisode(n, a)) {
      lines.push(`FIRED AND RESOLVED [${a.severity}] ${headline(a)}`);
      lines.push(
        `  ${howBad(a)} (threshold ${a.thresholdText}) · ${who(a)}${where(a) ? ` · ${where(a)}` : ''} · ${episodeSpan(a)}`,
      );
      continue;
    }
    lines.push(`RESOLVED (${a.reason ?? 'recovered'}) ${headline(a)}`);
    lines.push(`  ${howBad(a)} · ${who(a)} · was breaching from ${since(a, now)}`);
  }
  return lines;
}
