import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import type { ParticipantContext } from '../normalize/sample.js';
import { humanDuration, plural, possessive, shareOf } from '../util/words.js';
import type { Alert, AlertContext, AlertState, ResolveReason } from './alert.js';
import type { Explainer } from './explain.js';
import { instanceName, instanceNameFirst } from './instance-name.js';
import type { CompiledRule } from './rule-types.js';
import type { SeriesRecord } from './series.js';
import { hasSection, render } from './templates.js';
import { formatValue } from './thresholds.js';
import { withheldContext } from './withheld.js';

/** The value and threshold as text: a share of participants for a group rule. */
function valueTexts(
  rule: CompiledRule,
  rec: SeriesRecord,
): { valueText: string; thresholdText: string; metricThreshold: string } {
  const group = rule.scope !== 'participant';
  const breachingN = rec.breaching ?? 0;
  const total = rec.participants ?? 0;
  const valueText = group
    ? `${shareOf(breachingN, total)} (${Math.round(rec.value * 100)}%)`
    : formatValue(rec.value, rule.metric);
  const cmp = rule.above ? '>' : '<';
  const metricThreshold = formatValue(rule.threshold, rule.metric);
  const thresholdText = group
    ? `${rule.breachingCount !== undefined ? plural(rule.breachingCount, 'participant') : `${Math.round((rule.breachingRatio ?? 1) * 100)}%`} with ${rule.metric.name} ${cmp} ${metricThreshold}`
    : `${cmp} ${metricThreshold}`;
  return { valueText, thresholdText, metricThreshold };
}

/**
 * An alert's labels: the rule's identity, where it is, and the rule's own labels. `instance` is
 * the meeting, webinar or session number, `instance_uuid` the call itself (as on /metrics): two
 * instances sharing a number (a recurring meeting, a pushed UUID discovery never lists) never
 * have the same labels. An alert that fired before alerts carried `instance_uuid` keeps its
 * labels until it resolves (SeriesRecord.withoutUuidLabel), so Alertmanager and the
 * notification groups still know it.
 */
export function alertLabels(rule: CompiledRule, rec: SeriesRecord, c: AlertContext): Record<string, string> {
  return {
    alertname: rule.name,
    severity: rule.severity,
    scope: rule.scope,
    ...(c.kind ? { kind: c.kind } : {}),
    ...(c.instanceId ? { instance: c.instanceId } : {}),
    ...(c.instanceId && c.uuid && !rec.withoutUuidLabel ? { instance_uuid: c.uuid } : {}),
    ...(c.participantKey ? { participant: c.participantKey } : {}),
    ...(c.group ? { [c.groupBy!]: c.group } : {}),
    ...rule.labels,
  };
}

/**
 * The labels shown: once it fired, those it fired with (SeriesRecord.firedLabels) until it
 * resolves, so that its resolve goes to the groups its firing went to; its group's value as
 * `c` shows it (withheld or not; a series' group never changes).
 */
function shownLabels(
  rule: CompiledRule,
  rec: SeriesRecord,
  c: AlertContext,
  state: AlertState,
): Record<string, string> {
  if (state === 'pending' || !rec.firedLabels) return alertLabels(rule, rec, c);
  return { ...rec.firedLabels, ...(c.group ? { [c.groupBy!]: c.group } : {}) };
}

/**
 * `since`: when the breach that made it fire began (its pending start), fixed once it fires.
 * Durations in sample time: the newest sample (or the start of the recovery that resolved it)
 * minus the first breaching sample; never the wall clock against a sample's time.
 */
function alertTimes(rec: SeriesRecord, state: AlertState): { since: number; durationMs: number } {
  const since = rec.since ?? rec.pendingSince ?? rec.lastTime;
  const durationMs = Math.max(
    0,
    (state === 'resolved' ? (rec.clearedAt ?? rec.lastTime) : rec.lastTime) - since,
  );
  return { since, durationMs };
}

/** The alert that explains this one (as shown), and the explanation's text. */
function alertExplanation(
  explainer: Explainer,
  rec: SeriesRecord,
  state: AlertState,
  withhold: boolean,
): { explainedBy?: string; explanation?: string } {
  const cause = rec.explainedBy ?? (state === 'pending' ? explainer.explainer(rec)?.id : undefined);
  const explainedBy = cause && explainer.shownId(cause, withhold);
  const shown = withhold && rec.explanation ? explainer.explainer(rec, true) : undefined;
  const explanation =
    withhold && rec.explanation
      ? `explained by ${shown?.id ?? explainedBy ?? ''}${shown ? `: ${shown.text}` : ''}`
      : rec.explanation;
  return {
    ...(explainedBy ? { explainedBy } : {}),
    ...(explanation ? { explanation } : {}),
  };
}

/** What an alert's parts are computed from, shared by the steps below. */
interface AlertParts {
  rule: CompiledRule;
  rec: SeriesRecord;
  state: AlertState;
  resolved: { at: number; reason: ResolveReason } | undefined;
  c: AlertContext;
  texts: ReturnType<typeof valueTexts>;
  times: ReturnType<typeof alertTimes>;
  explainedBy: string | undefined;
  labels: Record<string, string>;
}

/** Why a resolved alert's series is gone, when it did not recover: `Bob left "Weekly sync"`. */
function goneText(c: AlertContext, reason: ResolveReason | undefined, rule: string): string {
  const name = instanceName(c);
  if (reason === 'left') return `${c.participant ?? 'The participant'} left${name ? ` ${name}` : ''}`;
  if (reason === 'ended') return name ? `${instanceNameFirst(c)} ended` : 'The meeting ended';
  if (reason === 'rule_removed') return `The rule ${rule} was removed`;
  return '';
}

/** The fields a rule's annotation templates may use. */
function templateView(p: AlertParts): Record<string, unknown> {
  const { rule, rec, state, resolved, c } = p;
  const group = rule.scope !== 'participant';
  const breachingN = rec.breaching ?? 0;
  const total = rec.participants ?? 0;
  return {
    rule: rule.name,
    description: rule.description,
    severity: rule.severity,
    scope: rule.scope,
    state,
    value: p.texts.valueText,
    threshold: p.texts.thresholdText,
    threshold_value: p.texts.metricThreshold,
    participant: c.participant ?? '',
    participant_possessive: c.participant ? possessive(c.participant) : '',
    participant_key: c.participantKey ?? '',
    topic: c.topic ?? '',
    instance_name: instanceName(c),
    kind: c.kind ?? '',
    instance_id: c.instanceId ?? '',
    instance_uuid: c.uuid ?? '',
    stream: c.stream ?? '',
    ...Object.fromEntries(CONTEXT_FIELDS.map((f) => [f.rule, c[f.key as keyof ParticipantContext] ?? ''])),
    client_version: c.version ?? c.clientVersion ?? '',
    since: new Date(p.times.since).toISOString(),
    duration: humanDuration(p.times.durationMs),
    breaching: c.breaching ?? '',
    participants: c.participants ?? '',
    breaching_participants: group ? shareOf(breachingN, total) : '',
    healthy_participants: group ? shareOf(total - breachingN, total) : '',
    participants_text: group ? plural(total, 'participant') : '',
    meetings_text: rec.meetings !== undefined ? plural(rec.meetings, 'meeting') : '',
    group: c.group ?? '',
    group_by: c.groupBy ?? '',
    reason: resolved?.reason ?? '',
    explained_by: p.explainedBy ?? '',
    gone: goneText(c, resolved?.reason, rule.name),
    labels: p.labels,
  };
}

/**
 * The rule's annotations rendered for this state, and, while firing with a `repeating` section,
 * the reminders' annotations.
 */
function renderAnnotations(p: AlertParts): {
  annotations: Record<string, string>;
  repeatAnnotations?: Record<string, string>;
} {
  const { rule, state, resolved } = p;
  const view = templateView(p);
  const phase = (repeat: boolean): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, tpl] of Object.entries(rule.annotations)) {
      const repeating = repeat && hasSection(tpl, 'repeating');
      const flags = {
        firing: state !== 'resolved' && !repeating,
        repeating,
        resolved: state === 'resolved',
        recovered: state === 'resolved' && (resolved?.reason ?? 'recovered') === 'recovered',
      };
      out[k] = render(tpl, { ...view, ...flags });
    }
    return out;
  };
  const repeats =
    state === 'firing' && Object.values(rule.annotations).some((t) => hasSection(t, 'repeating'));
  return { annotations: phase(false), ...(repeats ? { repeatAnnotations: phase(true) } : {}) };
}

/**
 * The alert of a record, rendered. With `withhold`, rendered from its context with the
 * participant's identity withheld (withheldContext): annotations, labels, id and explanation.
 */
export function renderAlert(
  explainer: Explainer,
  rule: CompiledRule,
  rec: SeriesRecord,
  state: AlertState,
  resolved?: { at: number; reason: ResolveReason },
  withhold = false,
): Alert {
  const c = withhold ? withheldContext(rec.context) : rec.context;
  const texts = valueTexts(rule, rec);
  const times = alertTimes(rec, state);
  const { explainedBy, explanation } = alertExplanation(explainer, rec, state, withhold);
  const labels = shownLabels(rule, rec, c, state);
  const parts = { rule, rec, state, resolved, c, texts, times, explainedBy, labels };
  const { annotations, repeatAnnotations } = renderAnnotations(parts);
  const inhibitedBy = explainedBy && rule.inhibitWhenExplained ? explainedBy : undefined;
  return {
    id: explainer.shownId(rec.id, withhold),
    rule: rule.name,
    scope: rule.scope,
    state,
    severity: rule.severity,
    labels,
    annotations,
    ...(repeatAnnotations ? { repeatAnnotations } : {}),
    value: rec.value,
    valueText: texts.valueText,
    threshold: rule.threshold,
    thresholdText: texts.thresholdText,
    since: times.since,
    durationMs: times.durationMs,
    ...(rec.firingSince !== undefined && state !== 'pending' ? { firingSince: rec.firingSince } : {}),
    ...(state === 'resolved'
      ? { resolvedAt: resolved?.at ?? rec.lastTime, reason: resolved?.reason ?? 'recovered' }
      : {}),
    lastSampleAt: rec.lastTime,
    context: { ...c },
    ...(explainedBy ? { explainedBy } : {}),
    ...(explanation ? { explanation } : {}),
    ...(inhibitedBy ? { inhibitedBy } : {}),
  };
}
