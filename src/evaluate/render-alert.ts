import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import { shownKey } from '../normalize/zoom-text.js';
import type { ParticipantContext } from '../normalize/sample.js';
import { capitalize, humanDuration, plural, possessive, shareOf } from '../util/words.js';
import type { Alert, AlertContext, AlertState, ResolveReason } from './alert.js';
import type { Explainer } from './explain.js';
import { instanceName, instanceNameFirst } from './instance-name.js';
import type { CompiledRule } from './rule-types.js';
import type { Departed, SeriesRecord } from './series.js';
import { compileTemplate, hasSection, templateFields, type Compiled } from './templates.js';
import { formatShare, formatThreshold, formatValue } from './thresholds.js';
import { worstOf } from './lifecycle.js';
import { withheldContext } from './withheld.js';
import { groupWorstText, worstShownApart } from './worst-text.js';

/** What is the same for every alert of a rule: its threshold in words (see valueTexts). */
interface RuleTexts {
  thresholdText: string;
  metricThreshold: string;
}

function ruleTexts(rule: CompiledRule): RuleTexts {
  const group = rule.scope !== 'participant';
  const cmp = rule.above ? '>' : '<';
  const metricThreshold = formatThreshold(rule.threshold, rule.metric);
  const thresholdText = group
    ? `${rule.breachingCount !== undefined ? plural(rule.breachingCount, 'participant') : formatShare(rule.breachingRatio ?? 1)} with ${rule.metric.name} ${cmp} ${metricThreshold}`
    : `${cmp} ${metricThreshold}`;
  return { thresholdText, metricThreshold };
}

/** What valueTexts makes: the value, its episode's worst and the threshold, in words. */
interface ValueTexts {
  valueText: string;
  thresholdText: string;
  metricThreshold: string;
  worst: number;
  worstAt: number;
  worstText: string;
}

/**
 * The value, the episode's worst (worstOf: the highest share for a group rule) and the
 * threshold as text: a share of participants for a group rule.
 */
function valueTexts(rule: CompiledRule, rec: SeriesRecord, texts: RuleTexts): ValueTexts {
  const group = rule.scope !== 'participant';
  const valueText = group
    ? `${shareOf(rec.breaching ?? 0, rec.participants ?? 0)} (${formatShare(rec.value, rule.breachingRatio)})`
    : formatValue(rec.value, rule.metric, rule.threshold);
  const { worst, worstAt } = worstOf(rec, group || rule.above);
  const worstText = group
    ? groupWorstText(formatShare(worst, rule.breachingRatio))
    : worst === rec.value
      ? valueText
      : formatValue(worst, rule.metric, rule.threshold);
  return {
    valueText,
    thresholdText: texts.thresholdText,
    metricThreshold: texts.metricThreshold,
    worst,
    worstAt,
    worstText,
  };
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
  // Set one by one, in this order (as an object literal of spreads would, without a spread
  // object per optional label): a rule's label of the same name takes that label's place.
  const labels: Record<string, string> = { alertname: rule.name, severity: rule.severity, scope: rule.scope };
  if (c.kind) labels.kind = c.kind;
  if (c.instanceId) labels.instance = c.instanceId;
  if (c.instanceId && c.uuid && !rec.withoutUuidLabel) labels.instance_uuid = c.uuid;
  if (c.participantKey) labels.participant = shownKey(c.participantKey);
  if (c.group) labels[c.groupBy!] = c.group;
  for (const name of Object.keys(rule.labels)) {
    const value = rule.labels[name]!;
    // A label named __proto__ is a label, as in a spread, not the object's prototype.
    if (name === '__proto__')
      Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
    else labels[name] = value;
  }
  return labels;
}

/** The labels alertLabels gives every alert, where it applies: the rule's identity and the place. */
const PLACE_LABELS = ['alertname', 'severity', 'scope', 'kind', 'instance', 'instance_uuid', 'participant'];

/**
 * Every label an alert of these rules can carry (alertLabels): the identity and place labels, each
 * shared-cause rule's `group_by` field, each rule's own `labels`. A matcher on any other label
 * (a silence's `tema:`) never sees a value.
 */
export function alertLabelNames(rules: readonly CompiledRule[]): string[] {
  const names = new Set(PLACE_LABELS);
  for (const r of rules) {
    if (r.groupBy) names.add(r.groupBy);
    for (const name of Object.keys(r.labels)) names.add(name);
  }
  return [...names];
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
  // Shared with the series (labels are never changed in place): computed once, when it fired.
  return c.group ? { ...rec.firedLabels, [c.groupBy!]: c.group } : rec.firedLabels;
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
  if (state === 'pending' && !rec.explainedBy) {
    // Not linked yet (the link is made when it fires): what would explain it now, in words too.
    const e = explainer.explainer(rec, withhold);
    return e ? { explainedBy: e.id, explanation: `explained by ${e.id}: ${e.text}` } : {};
  }
  const cause = rec.explainedBy;
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
  resolved: Resolved | undefined;
  c: AlertContext;
  texts: ReturnType<typeof valueTexts>;
  times: ReturnType<typeof alertTimes>;
  explainedBy: string | undefined;
  labels: Record<string, string>;
}

/**
 * How a resolve says why: its reason, and for a meeting or shared-cause alert whose breaching
 * members left or moved out with others remaining (alert-changes.ts), how many did (`departed`).
 */
interface Resolved {
  at: number;
  reason: ResolveReason;
  departed?: Departed | undefined;
  /** A rule_removed resolve of a rule a reload kept but regrouped: what changed, in words (engine.ts). */
  changed?: string;
}

/** Why a resolved alert's series is gone, when it did not recover: `Bob left "Weekly sync"`. */
function goneText(p: AlertParts): string {
  const { c, rule } = p;
  const reason = p.resolved?.reason;
  if (reason === 'rule_removed')
    return p.resolved?.changed
      ? `The rule ${rule.name} was changed (${p.resolved.changed}): its alerts start again`
      : `The rule ${rule.name} was removed`;
  if (isGroup(p) && (reason === 'left' || reason === 'ended' || reason === 'moved'))
    return groupGoneText(p, reason);
  const name = instanceName(c);
  if (reason === 'left') return `${c.participant ?? 'The participant'} left${name ? ` ${name}` : ''}`;
  if (reason === 'ended') return name ? `${instanceNameFirst(c)} ended` : 'The meeting ended';
  return '';
}

/**
 * A meeting or shared cause that did not recover: its breaching members left, the rest healthy
 * ("2 breaching participants left "Weekly sync"; the only participant remaining is healthy"), or
 * it has no member any more ("Everyone left "Weekly sync"", "Data center NY has no
 * participants any more: they left or moved"), or its meeting ended, or its last members moved
 * out of it still in their meetings (reason `moved`: "The rule's filters match nobody in
 * "Weekly sync" any more", "Data center NY has no participants any more: they moved out of it:
 * their data center changed or went away, or the rule's filters stopped matching them").
 */
function groupGoneText(p: AlertParts, reason: 'left' | 'ended' | 'moved'): string {
  const { c } = p;
  const shared = p.rule.scope === 'shared_cause';
  const where = shared ? `${(c.groupBy ?? 'group').replace(/_/g, ' ')} ${c.group ?? ''}` : instanceName(c);
  const departed = p.resolved?.departed;
  if (departed && reason !== 'ended') {
    const total = p.rec.participants ?? 0;
    const healthy = total - (p.rec.breaching ?? 0);
    return (
      `${whoDeparted(departed, where, shared)}; ` +
      `${shareOf(healthy, total)} remaining ${healthy === 1 ? 'is' : 'are'} healthy`
    );
  }
  const Where = capitalize(where);
  if (!shared) return EMPTIED_MEETING[reason](where);
  const field = (c.groupBy ?? 'group').replace(/_/g, ' ');
  return `${Where} has no participants any more: ${EMPTIED_GROUP[reason](field)}`;
}

/**
 * Who of a group's breaching members left it or moved out while its alert fired: "2 breaching
 * participants left "Weekly sync"", "1 breaching participant left data center NY and 2 moved
 * out of it"; in a meeting one moves out only by the rule's filters: "2 breaching participants
 * in "Weekly sync" no longer match the rule's filters".
 */
function whoDeparted({ left, moved }: Departed, where: string, shared: boolean): string {
  const them = (n: number): string => (left ? String(n) : plural(n, 'breaching participant'));
  const out = !moved
    ? ''
    : shared
      ? `${them(moved)} moved out of ${left ? 'it' : where}`
      : `${them(moved)}${left ? '' : ` in ${where}`} no longer ${moved === 1 ? 'matches' : 'match'} the rule's filters`;
  if (!left) return out;
  return `${plural(left, 'breaching participant')} left ${where}${out ? ` and ${out}` : ''}`;
}

/** A meeting alert whose meeting has no member of its group any more, by reason. */
const EMPTIED_MEETING: Record<'left' | 'ended' | 'moved', (where: string) => string> = {
  left: (where) => `Everyone left ${where}`,
  ended: (where) => `${capitalize(where)} ended`,
  moved: (where) => `The rule's filters match nobody in ${where} any more`,
};

/** Why a shared cause's group has no member any more, by reason (`field`: its group_by in words). */
const EMPTIED_GROUP: Record<'left' | 'ended' | 'moved', (field: string) => string> = {
  left: () => 'they left or moved',
  ended: () => 'their meetings ended',
  moved: (field) =>
    `they moved out of it: their ${field} changed or went away, or the rule's filters stopped matching them`,
};

/**
 * A sample time as ISO 8601, the one before kept: the alerts of a cycle's changes mostly share
 * their `since` (a participant's rules went pending together), and a Date and its text per alert
 * were a tenth of rendering one (issue 16).
 */
let lastTime = NaN;
let lastIso = '';
function isoTime(t: number): string {
  if (t !== lastTime) {
    lastIso = new Date(t).toISOString();
    lastTime = t;
  }
  return lastIso;
}

type Field = (p: AlertParts) => unknown;
const isGroup = (p: AlertParts): boolean => p.rule.scope !== 'participant';
const shareText = (p: AlertParts, healthy: boolean): string => {
  const breachingN = p.rec.breaching ?? 0;
  const total = p.rec.participants ?? 0;
  return isGroup(p) ? shareOf(healthy ? total - breachingN : breachingN, total) : '';
};

/**
 * The fields a rule's annotation templates may use (TEMPLATE_FIELDS), each computed from the
 * alert's parts; a later entry of the same name wins (client_version), as in an object literal.
 */
const FIELDS: ReadonlyMap<string, Field> = new Map<string, Field>([
  ['rule', (p) => p.rule.name],
  ['description', (p) => p.rule.description],
  ['severity', (p) => p.rule.severity],
  ['scope', (p) => p.rule.scope],
  ['state', (p) => p.state],
  ['value', (p) => p.texts.valueText],
  ['threshold', (p) => p.texts.thresholdText],
  ['threshold_value', (p) => p.texts.metricThreshold],
  ['worst', (p) => p.texts.worstText],
  ['worst_at', (p) => isoTime(p.texts.worstAt)],
  // The worst so far when an earlier sample was worse than the newest (`value`) and reads
  // apart from it, else empty.
  ['worst_earlier', (p) => (worstShownApart({ scope: p.rule.scope, ...p.texts }) ? p.texts.worstText : '')],
  ['participant', (p) => p.c.participant ?? ''],
  ['participant_possessive', (p) => (p.c.participant ? possessive(p.c.participant) : '')],
  ['participant_key', (p) => shownKey(p.c.participantKey ?? '')],
  ['topic', (p) => p.c.topic ?? ''],
  ['instance_name', (p) => instanceName(p.c)],
  ['kind', (p) => p.c.kind ?? ''],
  ['instance_id', (p) => p.c.instanceId ?? ''],
  ['instance_uuid', (p) => p.c.uuid ?? ''],
  ['stream', (p) => p.c.stream ?? ''],
  ...CONTEXT_FIELDS.map((f): [string, Field] => [
    f.rule,
    (p) => p.c[f.key as keyof ParticipantContext] ?? '',
  ]),
  ['client_version', (p) => p.c.version ?? p.c.clientVersion ?? ''],
  ['since', (p) => isoTime(p.times.since)],
  ['duration', (p) => humanDuration(p.times.durationMs)],
  ['breaching', (p) => p.c.breaching ?? ''],
  ['participants', (p) => p.c.participants ?? ''],
  ['breaching_participants', (p) => shareText(p, false)],
  ['healthy_participants', (p) => shareText(p, true)],
  ['participants_text', (p) => (isGroup(p) ? plural(p.rec.participants ?? 0, 'participant') : '')],
  ['meetings_text', (p) => (p.rec.meetings !== undefined ? plural(p.rec.meetings, 'meeting') : '')],
  ['group', (p) => p.c.group ?? ''],
  ['group_by', (p) => p.c.groupBy ?? ''],
  ['reason', (p) => p.resolved?.reason ?? ''],
  ['explained_by', (p) => p.explainedBy ?? ''],
  ['gone', goneText],
  ['labels', (p) => p.labels],
]);

/** What rendering a rule's alerts needs, made once per rule: its templates compiled, the fields they read. */
interface RulePlan {
  texts: RuleTexts;
  /** The fields its templates read (the phase flags aside), in FIELDS' order. */
  fields: [string, Field][];
  annotations: { key: string; render: Compiled; repeating: boolean }[];
  /** Whether a firing alert has reminders' annotations (a template with a `repeating` section). */
  repeats: boolean;
  /**
   * The templates' view, written afresh by each render (renderAnnotations) and read by nothing
   * after it: one object per rule, not one per alert (it held as much as the alert itself).
   */
  view: Record<string, unknown>;
}

const plans = new WeakMap<CompiledRule, RulePlan>();

function planOf(rule: CompiledRule): RulePlan {
  let plan = plans.get(rule);
  if (plan) return plan;
  const read = new Set(Object.values(rule.annotations).flatMap((t) => templateFields(t)));
  const annotations = Object.entries(rule.annotations).map(([key, tpl]) => ({
    key,
    render: compileTemplate(tpl),
    repeating: hasSection(tpl, 'repeating'),
  }));
  plan = {
    texts: ruleTexts(rule),
    fields: [...FIELDS].filter(([name]) => read.has(name)),
    annotations,
    repeats: annotations.some((a) => a.repeating),
    view: {},
  };
  plans.set(rule, plan);
  return plan;
}

/**
 * The rule's annotations rendered for this state, and, while firing with a `repeating` section,
 * the reminders' annotations. The view holds the fields the templates read (no other field can
 * change what they render) and the phase flags, set anew for each annotation.
 */
function renderAnnotations(
  p: AlertParts,
  plan: RulePlan,
  reminders: boolean,
): {
  annotations: Record<string, string>;
  repeatAnnotations?: Record<string, string>;
} {
  const { state, resolved } = p;
  // Every field the templates read is written here, and the phase flags below: nothing of the
  // alert rendered before is left to be read.
  const view = plan.view;
  for (const [name, field] of plan.fields) view[name] = field(p);
  const resolvedNow = state === 'resolved';
  view.resolved = resolvedNow;
  view.recovered = resolvedNow && (resolved?.reason ?? 'recovered') === 'recovered';
  // Firing, but back past the recovery threshold: it resolves if it stays there for recovery.for.
  view.recovering = state === 'firing' && p.rec.recoveringSince !== undefined;
  const phase = (repeat: boolean): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const a of plan.annotations) {
      const repeating = repeat && a.repeating;
      view.firing = !resolvedNow && !repeating;
      view.repeating = repeating;
      out[a.key] = a.render(view);
    }
    return out;
  };
  const annotations = phase(false);
  return state === 'firing' && plan.repeats && reminders
    ? { annotations, repeatAnnotations: phase(true) }
    : { annotations };
}

/**
 * The alert of a record, rendered. With `withhold`, rendered from its context with the
 * participant's identity withheld (withheldContext): annotations, labels, id and explanation.
 * Without `reminders`, a firing alert has no reminders' annotations: the alert of a change
 * (the dispatcher renders a reminder from the alert as it reads when one is due: `current`),
 * so that an alert storm does not render and hold a reminder's text per alert.
 */
export function renderAlert(
  explainer: Explainer,
  rule: CompiledRule,
  rec: SeriesRecord,
  state: AlertState,
  resolved?: Resolved,
  withhold = false,
  reminders = true,
): Alert {
  const plan = planOf(rule);
  const c = withhold ? withheldContext(rec.context) : rec.context;
  const texts = valueTexts(rule, rec, plan.texts);
  const times = alertTimes(rec, state);
  const { explainedBy, explanation } = alertExplanation(explainer, rec, state, withhold);
  const labels = shownLabels(rule, rec, c, state);
  const parts = { rule, rec, state, resolved, c, texts, times, explainedBy, labels };
  const { annotations, repeatAnnotations } = renderAnnotations(parts, plan, reminders);
  const inhibitedBy = explainedBy && rule.inhibitWhenExplained ? explainedBy : undefined;
  // Fields in a fixed order (saved and sent as JSON), the optional ones only when set.
  const alert = {
    id: explainer.shownId(rec.id, withhold),
    rule: rule.name,
    scope: rule.scope,
    state,
    severity: rule.severity,
    labels,
    annotations,
  } as Alert;
  if (repeatAnnotations) alert.repeatAnnotations = repeatAnnotations;
  alert.value = rec.value;
  alert.valueText = texts.valueText;
  alert.worst = texts.worst;
  alert.worstText = texts.worstText;
  alert.worstAt = texts.worstAt;
  alert.threshold = rule.threshold;
  alert.thresholdText = texts.thresholdText;
  alert.since = times.since;
  alert.durationMs = times.durationMs;
  if (rec.firingSince !== undefined && state !== 'pending') alert.firingSince = rec.firingSince;
  if (state === 'resolved') {
    alert.resolvedAt = resolved?.at ?? rec.lastTime;
    alert.reason = resolved?.reason ?? 'recovered';
  }
  alert.lastSampleAt = rec.lastTime;
  // Shared with the series: a context is never changed in place (a new one replaces it).
  alert.context = c;
  if (explainedBy) alert.explainedBy = explainedBy;
  if (explanation) alert.explanation = explanation;
  if (inhibitedBy) alert.inhibitedBy = inhibitedBy;
  return alert;
}
