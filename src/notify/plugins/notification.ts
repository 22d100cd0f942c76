import type { Alert } from '../../evaluate/alert.js';
import { instanceName } from '../../evaluate/instance-name.js';
import { plural } from '../../util/words.js';

/**
 * One message to one notifier: a group's firing alerts and those resolved since the last
 * message. Written to the outbox before it is sent; `id` is stable across retries and restarts
 * so receivers (and the notification log) can tell repeats.
 */
export interface Notification {
  id: string;
  /** The notifier instance (config `notifiers[].name`). */
  receiver: string;
  /** Aggregation group: receiver + the group_by label values. */
  groupKey: string;
  groupLabels: Record<string, string>;
  /**
   * `alert`: a group update; `test`: notify-test; `summary`: what a rate cap held back;
   * `report`: the report made after a call ended.
   */
  kind: 'alert' | 'test' | 'summary' | 'report';
  firing: Alert[];
  resolved: Alert[];
  /**
   * Of `resolved`, the alerts this receiver was never told fire: each fired and resolved before
   * its group's message said so (both in one poll, within group_wait or a group_interval), and
   * this message, the only one about it, says both.
   */
  episodes?: string[];
  /** Epoch ms the notification was made. */
  createdAt: number;
  /** For `summary`: how many notifications were held back, and since when. */
  heldBack?: { count: number; since: number; alerts: number };
  /** For `report`: which report; its body is read at delivery, not kept in the outbox. */
  report?: ReportRef;
}

/** A report made after a call, as a notification names it. */
export interface ReportRef {
  id: string;
  /** "Weekly sync ended: 2 of 12 participants had poor audio for 9 min; worst: Bob, Wifi, 473 ms" */
  headline: string;
  /** Alerts the report holds. */
  alerts: number;
  /** Where the daemon's API serves it (a path: `/reports/<id>`). */
  path: string;
  /** Filled in at delivery from the kept report: the file to attach and the report as JSON. */
  body?: ReportBody;
}

export interface ReportBody {
  attachment: { filename: string; contentType: string; content: string };
  json: Record<string, unknown>;
}

/** It fired and resolved unseen: this notification is the first and only one to tell of it. */
export const isEpisode = (n: Notification, a: Alert): boolean => n.episodes?.includes(a.id) === true;

/** A resolved alert as it fired: with the value it breached with, not the one it recovered to. */
export const asFired = (a: Alert): Alert =>
  a.firedValueText === undefined ? a : { ...a, value: a.firedValue ?? a.value, valueText: a.firedValueText };

/** The value text a notification shows for its alert: as it fired when fired and resolved in it. */
export const valueShown = (n: Notification, a: Alert): string => (isEpisode(n, a) ? asFired(a) : a).valueText;

export const status = (n: Notification): 'firing' | 'resolved' => (n.firing.length ? 'firing' : 'resolved');

/** Labels all alerts of a notification share. */
export function commonLabels(n: Notification): Record<string, string> {
  const all = [...n.firing, ...n.resolved];
  if (!all.length) return {};
  const out: Record<string, string> = { ...all[0]!.labels };
  for (const a of all.slice(1))
    for (const [k, v] of Object.entries(out)) if (a.labels[k] !== v) delete out[k];
  return out;
}

/** A one-line title: what and how many. */
export function title(n: Notification): string {
  if (n.kind === 'test') return 'qoswatch test notification';
  if (n.kind === 'report') return n.report?.headline ?? 'qoswatch report';
  if (n.kind === 'summary') return `qoswatch held back ${plural(n.heldBack?.count ?? 0, 'notification')}`;
  const rules = [...new Set([...n.firing, ...n.resolved].map((a) => a.rule))];
  const what = rules.length === 1 ? rules[0]! : `${rules.length} rules`;
  // Each alert's meeting by name (its number while no topic is known), or its group.
  const names = [
    ...new Set(
      [...n.firing, ...n.resolved]
        .map((a) => (a.context.group && !a.context.topic ? `"${a.context.group}"` : instanceName(a.context)))
        .filter(Boolean),
    ),
  ];
  const where =
    names.length === 1 ? ` in ${names[0]!}` : names.length > 1 ? ` in ${names.length} meetings` : '';
  const episodes = n.resolved.filter((a) => isEpisode(n, a)).length;
  const parts = [
    n.firing.length ? `[FIRING:${n.firing.length}]` : '',
    episodes ? `[FIRED AND RESOLVED:${episodes}]` : '',
    n.resolved.length > episodes ? `[RESOLVED:${n.resolved.length - episodes}]` : '',
  ];
  return `${parts.filter(Boolean).join(' ')} ${what}${where}`;
}
