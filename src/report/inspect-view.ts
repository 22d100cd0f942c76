import type { Alert } from '../evaluate/alert.js';
import { METRIC_BY_NAME } from '../evaluate/metrics.js';
import { displayName } from '../evaluate/names.js';
import { ruleValue } from '../evaluate/rule-value.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import { formatThreshold } from '../evaluate/thresholds.js';
import { withheldFields } from '../evaluate/withheld.js';
import type { InstanceRef, ParticipantContext, QosSample } from '../normalize/sample.js';
import { jsonUnseenEscaped } from '../normalize/zoom-text.js';
import { formatDuration } from '../util/duration.js';
import { overRules } from './rules.js';
import { codeUnitOrder } from '../util/code-unit-order.js';

/**
 * What `qoswatch inspect` and `GET /api/v1/instances/<id>` show of one live instance: its
 * participants' recent samples (the daemon: the newest of each; Zoom: its live window) with
 * the rules each breaches, and the pending and firing alerts of the rules that see them.
 */
export interface InspectView {
  instance: InspectInstance;
  /** Where the samples came from, in one sentence. */
  source: string;
  /** Zoom API calls it took (the CLI reading Zoom); absent when read from the daemon. */
  calls?: number;
  generatedAt: number;
  /** The metrics of each row, in order: the usual five and every metric a rule reads. */
  columns: string[];
  rules: InspectRule[];
  participants: InspectParticipant[];
  /** Instance-wide alerts (scope instance or shared_cause). */
  alerts: InspectAlert[];
}

export interface InspectInstance {
  kind: InstanceRef['kind'];
  id: string;
  uuid: string;
  topic: string;
  /** How its QoS reaches the daemon: Zoom's pushes (QSS webhooks) or polling; absent from Zoom. */
  path?: 'push' | 'poll';
  /** Participants with a sample. */
  participants: number;
  lastSampleAt?: number;
  /** Pending and firing alerts on it. */
  activeAlerts: number;
}

export interface InspectRule {
  name: string;
  metric: string;
  severity: string;
  scope: string;
  /** "> 300 ms" */
  threshold: string;
  /** The rule's `for`, "2m"; "0s" when it fires at once. */
  for: string;
}

export interface InspectRow {
  t: number;
  /** By column metric, in base units: the value the metric's first rule reads (the worst stream), else the worst stream's. */
  values: Record<string, number>;
  /** Participant rules this sample is over (names). */
  over: string[];
}

export interface InspectParticipant {
  key: string;
  /**
   * For a guest (no name from Zoom) "Guest 16778242 (Mac, Wired)", as alerts name it; empty when
   * identities are withheld (the API without basic auth or the opt-in).
   */
  name: string;
  email: string;
  context: ParticipantContext;
  lastSampleAt?: number;
  /** Oldest first. */
  rows: InspectRow[];
  alerts: InspectAlert[];
}

/** A rule that sees the samples now: pending (its `for` not yet met) or firing. */
export interface InspectAlert {
  rule: string;
  severity: string;
  scope: string;
  state: 'pending' | 'firing';
  participant?: string;
  value: string;
  threshold: string;
  stream?: string;
  /** The first breaching sample of this breach. */
  since: number;
  /** How long it has breached, in sample time. */
  durationMs: number;
  forMs: number;
  /** Its `for` is met: the alert fires. */
  forMet: boolean;
  explainedBy?: string;
}

/** The columns every view shows, then those the rules add. */
const BASE_COLUMNS = ['latency', 'jitter', 'avg_loss', 'frame_rate', 'cpu_zoom_avg'];
/** Metrics where less is worse (the worst stream is the lowest). */
const LOW_IS_BAD = new Set(['bitrate', 'frame_rate', 'resolution', 'wifi_rssi']);

/** The participant rules among `rules` that apply to a kind. */
const participantRules = (rules: readonly CompiledRule[], kind: InstanceRef['kind']): CompiledRule[] =>
  rules.filter((r) => r.scope === 'participant' && r.sources.has(kind));

export function inspectColumns(rules: readonly CompiledRule[], kind: InstanceRef['kind']): string[] {
  const out = [...BASE_COLUMNS];
  for (const r of participantRules(rules, kind)) if (!out.includes(r.metric.name)) out.push(r.metric.name);
  return out;
}

/** One metric of one sample: what its first breaching rule read, else its first rule, else the worst stream. */
function columnValue(metric: string, s: QosSample, rules: readonly CompiledRule[]): number | undefined {
  const own = rules.filter((r) => r.metric.name === metric);
  const read = own.map((r) => ({ r, v: ruleValue(r, s) }));
  const hit = read.find(({ r, v }) => v !== undefined && (r.above ? v > r.threshold : v < r.threshold));
  const first = hit ?? read.find(({ v }) => v !== undefined);
  if (first) return first.v;
  const m = METRIC_BY_NAME.get(metric);
  if (!m) return undefined;
  if (!m.perStream) return m.read(s);
  let worst: number | undefined;
  for (const stream in s.streams) {
    const v = m.read(s, stream);
    if (v !== undefined && (worst === undefined || (LOW_IS_BAD.has(metric) ? v < worst : v > worst)))
      worst = v;
  }
  return worst;
}

export function inspectRow(
  s: QosSample,
  columns: readonly string[],
  rules: readonly CompiledRule[],
): InspectRow {
  const values: Record<string, number> = {};
  for (const c of columns) {
    const v = columnValue(c, s, rules);
    if (v !== undefined) values[c] = v;
  }
  return { t: s.time, values, over: overRules(rules, s).map((o) => o.rule.name) };
}

export function inspectAlert(a: Alert, rules: readonly CompiledRule[]): InspectAlert {
  const forMs = rules.find((r) => r.name === a.rule)?.forMs ?? 0;
  return {
    rule: a.rule,
    severity: a.severity,
    scope: a.scope,
    state: a.state === 'firing' ? 'firing' : 'pending',
    ...(a.scope === 'participant' && a.context.participantKey
      ? { participant: a.context.participantKey }
      : {}),
    value: a.valueText,
    threshold: a.thresholdText,
    ...(a.context.stream ? { stream: a.context.stream } : {}),
    since: a.firingSince !== undefined ? Math.min(a.since, a.firingSince) : a.since,
    durationMs: a.durationMs,
    forMs,
    forMet: a.state === 'firing',
    ...(a.explainedBy ? { explainedBy: a.explainedBy } : {}),
  };
}

export const ruleInfo = (r: CompiledRule): InspectRule => ({
  name: r.name,
  metric: r.metric.name,
  severity: r.severity,
  scope: r.scope,
  threshold: `${r.above ? '>' : '<'} ${formatThreshold(r.threshold, r.metric)}`,
  for: formatDuration(r.forMs),
});

export interface ViewInput {
  instance: InstanceRef;
  path?: 'push' | 'poll';
  /** Every sample to show, of any participant, in any order. */
  samples: readonly QosSample[];
  /** Names and e-mails by join key, where the samples lack them (the participants list). */
  names?: ReadonlyMap<string, { name: string; email: string }>;
  rules: readonly CompiledRule[];
  /** This instance's pending and firing alerts. */
  alerts: readonly Alert[];
  /** Show names, e-mails and locations (the CLI; the API behind basic auth or with the opt-in). */
  identity: boolean;
  source: string;
  calls?: number;
  now: number;
}

/** Worst first: firing alerts, pending ones, rules the newest sample is over; then by key. */
function worstFirst(a: InspectParticipant, b: InspectParticipant): number {
  const weight = (p: InspectParticipant): number =>
    p.alerts.filter((x) => x.forMet).length * 10_000 +
    p.alerts.length * 100 +
    (p.rows.at(-1)?.over.length ?? 0);
  return weight(b) - weight(a) || codeUnitOrder(a.key, b.key);
}

export function inspectView(i: ViewInput): InspectView {
  const kind = i.instance.kind;
  const columns = inspectColumns(i.rules, kind);
  const own = participantRules(i.rules, kind);
  const byKey = new Map<string, QosSample[]>();
  for (const s of i.samples) byKey.set(s.participant.key, [...(byKey.get(s.participant.key) ?? []), s]);
  const alerts = i.alerts.map((a) => inspectAlert(a, i.rules));
  const participants = [...byKey].map(([key, list]): InspectParticipant => {
    const samples = [...list].sort((a, b) => a.time - b.time);
    const newest = samples.at(-1)!;
    const known = i.names?.get(key);
    const context = i.identity ? { ...newest.context } : withheldFields(newest.context);
    return {
      key,
      // A guest (no name from Zoom) is named as alerts and reports name it: "Guest 16778242 (Mac, Wired)".
      name: i.identity ? displayName(newest.participant.name || known?.name || '', key, context) : '',
      email: i.identity ? newest.participant.email || known?.email || '' : '',
      context,
      lastSampleAt: newest.time,
      rows: samples.map((s) => inspectRow(s, columns, own)),
      alerts: alerts.filter((a) => a.participant === key),
    };
  });
  participants.sort(worstFirst);
  const last = Math.max(...i.samples.map((s) => s.time));
  return {
    instance: {
      kind,
      id: i.instance.id,
      uuid: i.instance.uuid,
      topic: i.instance.topic,
      ...(i.path ? { path: i.path } : {}),
      participants: participants.length,
      ...(Number.isFinite(last) ? { lastSampleAt: last } : {}),
      activeAlerts: alerts.length,
    },
    source: i.source,
    ...(i.calls !== undefined ? { calls: i.calls } : {}),
    generatedAt: i.now,
    columns,
    rules: i.rules.filter((r) => r.sources.has(kind)).map(ruleInfo),
    participants,
    alerts: alerts.filter((a) => a.participant === undefined),
  };
}

const TIME_KEYS = new Set(['t', 'since', 'lastSampleAt', 'generatedAt']);

/** A view (or a list of instances) as JSON: times ISO 8601, values in base units (seconds, ratios, fps, bits/s). */
export function inspectJson(v: InspectView | { instances: InspectInstance[] }): string {
  return (
    jsonUnseenEscaped(
      JSON.stringify(
        v,
        (k, x: unknown) => (TIME_KEYS.has(k) && typeof x === 'number' ? new Date(x).toISOString() : x),
        2,
      ),
    ) + '\n'
  );
}

/** Times back to epoch ms, in place, through the whole value. */
function parseTimes(v: unknown): void {
  if (Array.isArray(v)) for (const x of v) parseTimes(x);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (TIME_KEYS.has(k) && typeof x === 'string') (v as Record<string, unknown>)[k] = Date.parse(x);
      else parseTimes(x);
    }
}

const isList = (v: unknown): boolean => Array.isArray(v);

/** A view read back from a daemon's /api/v1/instances/<id>; an error when it is not one. */
export function parseInspectJson(body: unknown): InspectView {
  const v = body as Partial<InspectView> | null;
  const i = v?.instance as Partial<InspectInstance> | undefined;
  const ok =
    typeof i?.uuid === 'string' &&
    typeof i.kind === 'string' &&
    isList(v?.participants) &&
    isList(v?.alerts) &&
    isList(v?.columns) &&
    isList(v?.rules) &&
    v!.participants!.every((p) => typeof p?.key === 'string' && isList(p.rows) && isList(p.alerts));
  if (!ok)
    throw new Error("the daemon's answer is not an instance view (an older qoswatch, or not qoswatch?)");
  parseTimes(v);
  return v as InspectView;
}
