import { METRIC_BY_NAME } from '../evaluate/metrics.js';
import { onOneLine, shownKey } from '../normalize/zoom-text.js';
import { formatDuration } from '../util/duration.js';
import { plural } from '../util/words.js';
import type { InspectAlert, InspectParticipant, InspectView } from './inspect-view.js';
import { columns as aligned } from './format-text.js';
import { contextLine, human, iso, shorten, showSample } from './values.js';

/** Column headings: the metric's words, short. */
const HEADING: Record<string, string> = {
  latency: 'latency',
  jitter: 'jitter',
  avg_loss: 'loss',
  max_loss: 'max loss',
  frame_rate: 'fps',
  cpu_zoom_avg: 'zoom cpu',
  cpu_zoom_max: 'zoom cpu max',
  cpu_system_max: 'system cpu',
  wifi_rssi: 'wi-fi',
};

/** The marker of a value over a rule's threshold. */
export const OVER_MARK = '*';

const hms = (t: number | undefined): string => (t === undefined ? '' : iso(t).slice(11, 19));

/** "firing: for 2m met (breaching 3 min)" / "pending: 1m of its for 2m" */
function stateText(a: InspectAlert): string {
  if (a.forMet) return `firing, for ${formatDuration(a.forMs)} met`;
  return `pending, ${formatDuration(a.durationMs)} of its for ${formatDuration(a.forMs)}`;
}

export function alertLine(a: InspectAlert): string {
  return `${a.rule} (${a.severity}) ${a.threshold}: ${a.value}${a.stream ? ` on ${a.stream}` : ''}, since ${hms(a.since)} UTC; ${stateText(a)}${a.explainedBy ? `; explained by ${a.explainedBy}` : ''}`;
}

/** A column's cell: the value written in its unit, marked when a rule on its metric is over. */
function cell(view: InspectView, metric: string, v: number | undefined, over: readonly string[]): string {
  if (v === undefined) return '-';
  const breached = view.rules.some((r) => r.metric === metric && over.includes(r.name));
  return `${showSample(metric, v)}${breached ? OVER_MARK : ''}`;
}

const heading = (metric: string): string =>
  HEADING[metric] ?? (METRIC_BY_NAME.has(metric) ? metric.replace(/_/g, ' ') : metric);

/** A participant's name as a report shows it: on one line, cut at 80 characters with an ellipsis (`shorten`). */
const nameOf = (p: InspectParticipant): string => shorten(p.name);
const keyOf = (p: InspectParticipant): string => `[${shownKey(p.key)}]`;

function who(p: InspectParticipant): string {
  const name = p.name ? `${nameOf(p)} ` : '';
  return `${name}${keyOf(p)}${p.email ? ` <${onOneLine(p.email)}>` : ''}`;
}

/** One participant: a row per sample, then the rules that see them. */
function participantBlock(view: InspectView, p: InspectParticipant): string[] {
  const out = [who(p)];
  const ctx = contextLine(p.context);
  if (ctx) out.push(`  ${ctx}`);
  if (!p.rows.length) {
    out.push('  no sample now: Zoom gives none while no media flows (muted, camera off, on hold)');
    return out;
  }
  const rows = [['time (UTC)', ...view.columns.map(heading), 'over']];
  for (const r of p.rows)
    rows.push([hms(r.t), ...view.columns.map((c) => cell(view, c, r.values[c], r.over)), r.over.join(', ')]);
  out.push(
    ...aligned(rows)
      .split('\n')
      .map((l) => `  ${l}`),
  );
  if (p.alerts.length) {
    out.push('  rules that see it now:');
    for (const a of p.alerts) out.push(`    ${alertLine(a)}`);
  } else out.push('  no rule sees it now');
  return out;
}

/** One row per participant, its newest sample: the instance at a glance. */
function instanceTable(view: InspectView): string[] {
  const rows = [['participant', 'last (UTC)', ...view.columns.map(heading), 'alerts', 'over']];
  for (const p of view.participants) {
    const r = p.rows.at(-1);
    const firing = p.alerts.filter((a) => a.forMet).length;
    const pending = p.alerts.length - firing;
    const alerts = [firing ? `${firing} firing` : '', pending ? `${pending} pending` : '']
      .filter(Boolean)
      .join(', ');
    rows.push([
      p.name ? `${nameOf(p)} ${keyOf(p)}` : keyOf(p),
      hms(r?.t),
      ...view.columns.map((c) => cell(view, c, r?.values[c], r?.over ?? [])),
      alerts || '-',
      r?.over.join(', ') ?? '',
    ]);
  }
  return aligned(rows).split('\n');
}

function header(view: InspectView): string[] {
  const i = view.instance;
  const path = i.path ? `, QoS by ${i.path === 'push' ? "Zoom's pushes" : 'polling'}` : '';
  return [
    `${shorten(i.topic) || `${i.kind} ${i.id}`} (${i.kind} ${i.id}, instance ${onOneLine(i.uuid)}), live${path}`,
    `${plural(i.participants, 'participant')} with samples; last sample ${i.lastSampleAt !== undefined ? iso(i.lastSampleAt) : 'none yet'}; ${plural(i.activeAlerts, 'alert')} pending or firing.`,
    `Source: ${view.source}${view.calls !== undefined ? ` API calls: ${view.calls}.` : ''}`,
    `${OVER_MARK} = over the threshold of a rule on that metric (named under "over").`,
  ];
}

/**
 * `--format table` (the default). With a participant, that participant's samples, one row
 * each; without, one row per participant (its newest sample), worst first, and each
 * participant's rules under it.
 */
export function inspectTable(view: InspectView, one?: InspectParticipant): string {
  const out = header(view);
  out.push('');
  for (const a of view.alerts) out.push(`Instance alert: ${alertLine(a)}`);
  if (view.alerts.length) out.push('');
  if (one) out.push(...participantBlock(view, one));
  else if (!view.participants.length) out.push('No participant has a sample yet.');
  else {
    out.push(...instanceTable(view));
    const seen = view.participants.filter((p) => p.alerts.length);
    if (seen.length) {
      out.push('', 'Rules that see them now:');
      for (const p of seen)
        for (const a of p.alerts) out.push(`  ${p.name ? nameOf(p) : keyOf(p)}: ${alertLine(a)}`);
    }
  }
  const rules = view.rules.filter((r) => r.scope === 'participant' || !one);
  if (rules.length) {
    out.push('', 'Rules loaded:');
    for (const r of rules)
      out.push(`  ${r.name} (${r.severity}, ${r.scope}): ${r.metric} ${r.threshold} for ${r.for}`);
  }
  return human(out.join('\n')) + '\n';
}

/** The instances a daemon watches (`/api/v1/instances`), one row each. */
export function instancesTable(body: unknown): string {
  const list = (body as { instances?: unknown } | null)?.instances;
  if (!Array.isArray(list)) throw new Error("the daemon's answer is not a list of instances");
  if (!list.length) return 'The daemon watches no live instance now.\n';
  const rows = [['kind', 'id', 'uuid', 'topic', 'path', 'participants', 'last sample (UTC)', 'alerts']];
  for (const x of list as Record<string, unknown>[]) {
    const text = (k: string): string =>
      typeof x[k] === 'string' || typeof x[k] === 'number' ? onOneLine(String(x[k])) : '';
    rows.push([
      text('kind'),
      text('id'),
      text('uuid'),
      shorten(text('topic')),
      text('path'),
      text('participants'),
      text('lastSampleAt').replace(/\.\d{3}Z$/, 'Z'),
      text('activeAlerts'),
    ]);
  }
  return human(aligned(rows)) + '\n';
}
