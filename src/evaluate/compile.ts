import type { FileProblem } from '../util/file-errors.js';
import type { YamlSource } from '../util/yaml-file.js';
import { CONTEXT_BY_RULE, CONTEXT_FIELDS } from '../normalize/catalog.js';
import { SOURCE_KINDS, type QosSample } from '../normalize/sample.js';
import { durationMs } from '../util/duration.js';
import { compilePattern, isPattern, type Pattern } from '../util/patterns.js';
import { FILTER_VALUES } from './filters.js';
import { expandStreams, METRIC_BY_NAME, STREAM_GROUPS, type MetricDef } from './metrics.js';
import type { CompiledRule, ContextUse, FilterField, RawRule, Scope } from './rule-types.js';
import { checkTemplate, templateFields, unguardedFields } from './templates.js';
import { unprovided } from './field-needs.js';
import { parseThreshold, percentShare } from './thresholds.js';

/**
 * A problem at a setting of the rule being compiled: at its value; with `offset`, at that
 * character of its (string) value, where the file shows it; with 'key', at its key.
 */
type At = (path: (string | number)[], message: string, offset?: number | 'key') => void;

/**
 * Compiles one validated rule; every problem the schema cannot see (units, streams, filters,
 * templates, scope options) is reported at its place in the file, in this order.
 */
export function compileRule(
  raw: RawRule,
  index: number,
  src: YamlSource,
  problems: FileProblem[],
): CompiledRule | undefined {
  const at: At = (path, message, offset) => {
    problems.push(
      typeof offset === 'number'
        ? src.problemInValue(['rules', index, ...path], offset, message)
        : src.problemAt(['rules', index, ...path], message, offset === 'key'),
    );
  };
  const before = problems.length;
  const metric = METRIC_BY_NAME.get(raw.metric)!;
  const scope = raw.scope ?? 'participant';
  const streams = compileStreams(raw, metric, at);
  const { threshold, recovery } = compileThresholds(raw, metric, at);
  const filters = compileFilters(raw.filters, at);
  checkScopeOptions(raw, scope, at);
  checkTemplates(raw.annotations, at);
  const sources = new Set(raw.sources ?? SOURCE_KINDS);
  const contextUses = contextUsesOf(raw, index, src);
  for (const u of contextUses) {
    const why = unprovided(u.field, sources);
    if (why) problems.push(src.problemAt(u.path, why, u.as === 'filter'));
  }
  if (problems.length > before || threshold === undefined) return undefined;
  return {
    name: raw.name,
    description: raw.description ?? '',
    file: src.file,
    scope,
    sources,
    streams,
    streamSet: new Set(streams),
    metric,
    aggregate: raw.aggregate ?? 'worst',
    above: raw.when === 'above',
    threshold,
    forMs: raw.for ? durationMs(raw.for) : 0,
    recoveryThreshold: recovery ?? threshold,
    recoveryForMs: raw.recovery?.for ? durationMs(raw.recovery.for) : 0,
    severity: raw.severity ?? 'warning',
    labels: raw.labels ?? {},
    annotations: raw.annotations ?? {},
    contextUses: contextUses.map((u) => ({
      field: u.field,
      as: u.as,
      ...(u.guarded && { guarded: u.guarded }),
      get at() {
        return u.at;
      },
    })),
    matches: sampleMatcher(sources, filters, JSON.stringify([[...sources].sort(), raw.filters ?? {}])),
    ...groupSettings(raw, scope),
  };
}

/** The streams of a per-stream metric (groups expanded); none for the others. */
function compileStreams(raw: RawRule, metric: MetricDef, at: At): string[] {
  if (!metric.perStream) {
    if (raw.streams)
      at(['streams'], `"${raw.metric}" is not measured per stream; expected no streams (remove the setting)`);
    return [];
  }
  if (!raw.streams) {
    // At the metric that needs them: a rule has no `streams:` line to point at.
    at(
      ['metric'],
      `"${raw.metric}" is measured per stream, and the rule names no streams; expected streams beside it, e.g. streams: [any_audio]`,
      'key',
    );
    return [];
  }
  const { streams, unknown } = expandStreams(raw.streams);
  for (const u of unknown)
    at(
      ['streams', raw.streams.indexOf(u)],
      `unknown stream "${u}"; expected a stream name such as audio_input or a group: ${Object.keys(STREAM_GROUPS).join(', ')}`,
    );
  return streams;
}

/**
 * The threshold and the recovery threshold in the metric's unit (undefined: wrong, or no
 * recovery threshold); a recovery threshold must be on the good side of the threshold.
 */
function compileThresholds(
  raw: RawRule,
  metric: MetricDef,
  at: At,
): { threshold: number | undefined; recovery: number | undefined } {
  const threshold = parseThreshold(raw.threshold, metric);
  if ('error' in threshold) at(['threshold'], `${raw.metric} threshold: ${threshold.error}`);
  const recovery =
    raw.recovery?.threshold === undefined ? undefined : parseThreshold(raw.recovery.threshold, metric);
  if (recovery && 'error' in recovery)
    at(['recovery', 'threshold'], `${raw.metric} recovery threshold: ${recovery.error}`);
  const above = raw.when === 'above';
  if (recovery && 'value' in recovery && 'value' in threshold) {
    const wrongSide = above ? recovery.value > threshold.value : recovery.value < threshold.value;
    if (wrongSide)
      at(
        ['recovery', 'threshold'],
        `found ${String(raw.recovery!.threshold)}; expected a recovery threshold ${above ? 'at or below' : 'at or above'} the threshold ${String(raw.threshold)} (it is hysteresis)`,
      );
  }
  return {
    threshold: 'value' in threshold ? threshold.value : undefined,
    recovery: recovery && 'value' in recovery ? recovery.value : undefined,
  };
}

/** Each filter's patterns (globs or /regexes/); a pattern that does not compile is reported. */
function compileFilters(raw: RawRule['filters'], at: At): [FilterField, Pattern[]][] {
  const filters: [FilterField, Pattern[]][] = [];
  for (const [field, value] of Object.entries(raw ?? {}) as [FilterField, string | string[]][]) {
    const list = Array.isArray(value) ? value : [value];
    const res: Pattern[] = [];
    list.forEach((p, i) => {
      const re = compilePattern(p);
      if (isPattern(re)) res.push(re);
      else at(['filters', field, ...(Array.isArray(value) ? [i] : [])], re.error);
    });
    filters.push([field, res]);
  }
  return filters;
}

/** Each compiled matcher's sources and filters as text (see `matcherKey`). */
const matcherKeys = new WeakMap<CompiledRule['matches'], string>();

/**
 * A compiled rule's sources and filters as text: rules whose matchers have the same one match
 * the same samples (group-keys.ts works out their groups once). Undefined for a matcher not
 * made here.
 */
export const matcherKey = (matches: CompiledRule['matches']): string | undefined => matcherKeys.get(matches);

/**
 * Whether a sample is one the rule looks at: its source kind, and every filter matched by one
 * pattern. `key`: its sources and filters as text (`matcherKey`).
 */
function sampleMatcher(
  sources: ReadonlySet<string>,
  filters: readonly [FilterField, Pattern[]][],
  key: string,
): (s: QosSample) => boolean {
  const matches = (s: QosSample): boolean => {
    if (!sources.has(s.instance.kind)) return false;
    for (const [field, res] of filters) {
      const values = FILTER_VALUES[field](s);
      if (!res.some((re) => values.some((v) => re.test(v)))) return false;
    }
    return true;
  };
  matcherKeys.set(matches, key);
  return matches;
}

/** The scopes that take each grouping option a participant rule does not: what a problem suggests. */
const OPTION_SCOPES = {
  breaching: ['instance', 'shared_cause'],
  min_participants: ['instance', 'shared_cause'],
  group_by: ['shared_cause'],
  explains: ['shared_cause'],
  mute_participant_alerts: ['shared_cause'],
} as const satisfies Record<string, readonly Scope[]>;

/** The grouping options each scope takes (breaching, group_by, explains, explained.ratio...), and only those. */
function checkScopeOptions(raw: RawRule, scope: Scope, at: At): void {
  for (const [k, scopes] of Object.entries(OPTION_SCOPES) as [keyof typeof OPTION_SCOPES, readonly Scope[]][])
    if (raw[k] !== undefined && !scopes.includes(scope))
      at(
        [k],
        `"${k}" is for ${scopes.join(' and ')} rules; this rule's scope is ${scope}; expected no ${k}, or scope: ${scopes.join(' or ')}`,
      );
  if (scope === 'participant') {
    if (raw.explained?.ratio !== undefined)
      at(
        ['explained', 'ratio'],
        '"ratio" is for instance rules: a participant alert is explained or not; expected no ratio, or scope: instance',
      );
    return;
  }
  if (!raw.breaching)
    at(
      ['breaching'],
      `missing required setting "breaching": ${scope === 'instance' ? 'an' : 'a'} ${scope} rule needs breaching; expected breaching: { count: N } or { ratio: X% }`,
    );
  if (scope === 'shared_cause' && !raw.group_by)
    at(
      ['group_by'],
      `missing required setting "group_by": a shared_cause rule needs group_by; expected one of: ${CONTEXT_FIELDS.map((f) => f.rule).join(', ')}`,
    );
  // The group's label is set by qoswatch (render-alert.ts alertLabels): a rule's label of that
  // name would hide which group fired, and its explanations and routing with it.
  if (raw.group_by && raw.labels && Object.hasOwn(raw.labels, raw.group_by))
    at(
      ['labels', raw.group_by],
      `"${raw.group_by}" is this rule's group_by: the alert's label of that name is its group; expected another label name`,
    );
  if (scope === 'shared_cause' && raw.explained !== undefined)
    at(
      ['explained'],
      '"explained" is for participant and instance rules: what a shared cause explains; expected no explained on a shared_cause rule',
    );
}

/** Each annotation's template: unknown fields and syntax errors are reported. */
function checkTemplates(annotations: RawRule['annotations'], at: At): void {
  for (const [k, tpl] of Object.entries(annotations ?? {}))
    for (const p of checkTemplate(tpl)) at(['annotations', k], p.message, p.offset);
}

/** How a grouped rule counts and explains: breaching count or ratio, group_by, what it explains. */
function groupSettings(
  raw: RawRule,
  scope: Scope,
): Pick<
  CompiledRule,
  | 'breachingCount'
  | 'breachingRatio'
  | 'minParticipants'
  | 'groupBy'
  | 'explains'
  | 'explainedRatio'
  | 'inhibitWhenExplained'
> {
  return {
    ...(raw.breaching?.count !== undefined ? { breachingCount: raw.breaching.count } : {}),
    ...(raw.breaching?.ratio !== undefined ? { breachingRatio: percentShare(raw.breaching.ratio) } : {}),
    minParticipants: raw.min_participants ?? (scope === 'participant' ? 1 : 3),
    ...(raw.group_by ? { groupBy: raw.group_by } : {}),
    explains: raw.explains ?? raw.mute_participant_alerts ?? false,
    explainedRatio: raw.explained?.ratio ? percentShare(raw.explained.ratio) : 1,
    inhibitWhenExplained: raw.explained?.inhibit ?? true,
  };
}

/** The context fields a rule reads, each with its place in the file. */
function contextUsesOf(
  raw: RawRule,
  index: number,
  src: YamlSource,
): (ContextUse & { path: (string | number)[] })[] {
  const out: (ContextUse & { path: (string | number)[] })[] = [];
  const add = (name: string, as: ContextUse['as'], path: (string | number)[], guarded?: true): void => {
    const field = CONTEXT_BY_RULE.get(name);
    const full = ['rules', index, ...path];
    if (!field) return;
    out.push({
      field,
      as,
      ...(guarded && { guarded }),
      path: full,
      // Where, only when asked (a message): a shipped rule file's YAML is parsed only then.
      get at() {
        // A filter's field is its key; group_by's and a template's are in the value.
        const { file, line, col } = src.problemAt(full, '', as === 'filter');
        return `${file}:${line}:${col}`;
      },
    });
  };
  for (const name of Object.keys(raw.filters ?? {})) add(name, 'filter', ['filters', name]);
  if (raw.group_by) add(raw.group_by, 'group_by', ['group_by']);
  for (const [k, tpl] of Object.entries(raw.annotations ?? {})) {
    const unguarded = unguardedFields(tpl);
    for (const name of templateFields(tpl))
      add(name, 'template', ['annotations', k], unguarded.has(name) ? undefined : true);
  }
  return out;
}
