import type { Alert, AlertChange } from '../../src/evaluate/alert.js';
import type { Notification } from '../../src/notify/plugins/notification.js';

export const NOW = Date.parse('2026-05-04T09:30:00Z');

/** An alert as the rule engine makes them, for notifier and dispatcher tests. */
export function alert(over: Partial<Alert> & { participant?: string; meeting?: string } = {}): Alert {
  const p = over.participant ?? 'bob';
  const m = over.meeting ?? '85012345678';
  const rule = over.rule ?? 'audio-latency-high';
  const state = over.state ?? 'firing';
  return {
    id: `${rule}|meeting:${m}/${p}`,
    rule,
    scope: 'participant',
    state,
    severity: 'warning',
    labels: {
      alertname: rule,
      severity: over.severity ?? 'warning',
      scope: 'participant',
      kind: 'meeting',
      instance: m,
      participant: p,
      ...over.labels,
    },
    annotations: { summary: `${p} has 450 ms audio latency in "Weekly sync"` },
    value: 0.45,
    valueText: '450 ms',
    threshold: 0.3,
    thresholdText: '> 300 ms',
    since: NOW - 120_000,
    durationMs: 120_000,
    firingSince: NOW - 60_000,
    lastSampleAt: NOW,
    context: {
      kind: 'meeting',
      instanceId: m,
      uuid: m,
      topic: 'Weekly sync',
      participant: p,
      participantKey: p,
      dataCenter: 'SC',
      networkType: 'Wifi',
      device: 'Mac',
    },
    ...(state === 'resolved' ? { resolvedAt: NOW, reason: 'recovered' as const } : {}),
    // How bad it got (as the engine says it): its value, unless told otherwise.
    worst: over.value ?? 0.45,
    worstText: over.valueText ?? '450 ms',
    worstAt: NOW - 60_000,
    ...over,
  };
}

export const changes = (...alerts: Alert[]): AlertChange[] =>
  alerts.map((a) => ({ state: a.state, alert: a, previous: a.state === 'firing' ? 'pending' : 'firing' }));

export function notification(over: Partial<Notification> = {}): Notification {
  return {
    id: `test|group#${NOW}#0`,
    receiver: 'r',
    groupKey: 'r|{"alertname":"audio-latency-high"}',
    groupLabels: { alertname: 'audio-latency-high' },
    kind: 'alert',
    firing: [alert()],
    resolved: [],
    createdAt: NOW,
    ...over,
  };
}
