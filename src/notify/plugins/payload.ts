import { createHash } from 'node:crypto';
import type { Alert } from '../../evaluate/alert.js';
import { howBad } from './format.js';
import { asFired, commonLabels, isEpisode, status, type Notification } from './notification.js';

const iso = (t: number | undefined): string | undefined =>
  t === undefined ? undefined : new Date(t).toISOString();

function alertJson(a: Alert, episode: boolean): Record<string, unknown> {
  return {
    id: a.id,
    status: a.state === 'resolved' ? 'resolved' : 'firing',
    rule: a.rule,
    severity: a.severity,
    scope: a.scope,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    value_text: a.valueText,
    // How bad it got: the worst of its episode so far (resolved: of all of it), and when; null
    // in an alert saved by a qoswatch before it.
    worst: a.worst ?? null,
    worst_text: a.worstText ?? null,
    worst_at: iso(a.worstAt) ?? null,
    threshold: a.threshold,
    threshold_text: a.thresholdText,
    starts_at: iso(a.since),
    // Always present (null until known), as docs/notifications.md shows them.
    firing_since: iso(a.firingSince) ?? null,
    ends_at: iso(a.resolvedAt) ?? null,
    // How old the data behind the alert is: created_at minus this (Slack and e-mail say it in
    // words when it is over two sample intervals).
    last_sample_at: iso(a.lastSampleAt),
    reason: a.reason ?? null,
    context: a.context,
    ...(a.inhibitedBy ? { inhibited_by: a.inhibitedBy } : {}),
    // Resolved, and never notified firing here: it fired and resolved before its group said so.
    // and the value it fired with (value is the one it recovered to).
    ...(episode
      ? { fired_and_resolved: true, fired_value: asFired(a).value, fired_value_text: asFired(a).valueText }
      : {}),
  };
}

/** qoswatch's own webhook payload (documented in docs/notifications.md). */
export function qoswatchPayload(n: Notification): Record<string, unknown> {
  return {
    version: '1',
    id: n.id,
    kind: n.kind,
    receiver: n.receiver,
    status: status(n),
    group_key: n.groupKey,
    group_labels: n.groupLabels,
    common_labels: commonLabels(n),
    created_at: iso(n.createdAt),
    alerts: [...n.firing, ...n.resolved].map((a) => alertJson(a, isEpisode(n, a))),
    ...(n.heldBack
      ? { held_back: { count: n.heldBack.count, alerts: n.heldBack.alerts, since: iso(n.heldBack.since) } }
      : {}),
    ...(n.report
      ? {
          report: {
            id: n.report.id,
            headline: n.report.headline,
            alerts: n.report.alerts,
            path: n.report.path,
            ...(n.report.body ? { data: n.report.body.json } : {}),
          },
        }
      : {}),
  };
}

/**
 * An alert's annotations as Alertmanager gets them: with `worst`, how bad it got (format.ts'
 * howBad), unless its rule has an annotation of that name.
 */
export function worstAnnotation(a: Alert): Record<string, string> {
  if (a.annotations.worst !== undefined) return a.annotations;
  return { ...a.annotations, worst: howBad(a) };
}

const fingerprint = (id: string): string => createHash('sha256').update(id).digest('hex').slice(0, 16);
const ZERO = '0001-01-01T00:00:00Z';

/** Alertmanager's webhook payload (version 4), so existing receivers work unchanged. */
export function alertmanagerPayload(n: Notification, externalUrl = ''): Record<string, unknown> {
  const all = [...n.firing, ...n.resolved];
  const common = commonLabels(n);
  const commonAnnotations: Record<string, string> = all.length ? { ...all[0]!.annotations } : {};
  for (const a of all.slice(1))
    for (const [k, v] of Object.entries(commonAnnotations))
      if (a.annotations[k] !== v) delete commonAnnotations[k];
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: status(n),
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: common,
    commonAnnotations,
    externalURL: externalUrl,
    alerts: all.map((a) => ({
      status: a.state === 'resolved' ? 'resolved' : 'firing',
      labels: a.labels,
      annotations: worstAnnotation(a),
      startsAt: iso(a.firingSince ?? a.since),
      endsAt: iso(a.resolvedAt) ?? ZERO,
      generatorURL: '',
      fingerprint: fingerprint(a.id),
    })),
  };
}
