import type { FileProblem } from '../util/file-errors.js';
import type { YamlSource } from '../util/yaml-file.js';
import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import { SOURCE_KINDS, type QosSample } from '../normalize/sample.js';
import { durationMs } from '../util/duration.js';
import { compilePattern, isPattern, type Pattern } from '../util/patterns.js';
import { FILTER_VALUES } from './filters.js';
import { expandStreams, METRIC_BY_NAME, STREAM_GROUPS } from './metrics.js';
import type { CompiledRule, FilterField, RawRule } from './rule-types.js';
import { checkTemplate } from './templates.js';
import { parseThreshold } from './thresholds.js';

/**
 * Compiles one validated rule; every problem the schema cannot see (units, streams, filters,
 * templates, scope options) is reported at its place in the file.
 */
export function compileRule(
  raw: RawRule,
  index: number,
  src: YamlSource,
  problems: FileProblem[],
): CompiledRule | undefined {
  const at = (path: (string | number)[], message: string): void => {
    problems.push(src.problemAt(['rules', index, ...path], message));
  };
  const before = problems.length;
  const metric = METRIC_BY_NAME.get(raw.metric)!;
  const scope = raw.scope ?? 'participant';

  let streams: string[] = [];
  if (metric.perStream) {
    if (!raw.streams)
      at([], `"${raw.metric}" is measured per stream: add streams, e.g. streams: [any_audio]`);
    else {
      const { streams: s, unknown } = expandStreams(raw.streams);
      for (const u of unknown)
        at(
          ['streams', raw.streams.indexOf(u)],
          `unknown stream "${u}"; expected a stream name such as audio_input or a group: ${Object.keys(STREAM_GROUPS).join(', ')}`,
        );
      streams = s;
    }
  } else if (raw.streams) at(['streams'], `"${raw.metric}" is not per stream; remove streams`);

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

  const filters: [FilterField, Pattern[]][] = [];
  for (const [field, value] of Object.entries(raw.filters ?? {}) as [FilterField, string | string[]][]) {
    const list = Array.isArray(value) ? value : [value];
    const res: Pattern[] = [];
    list.forEach((p, i) => {
      const re = compilePattern(p);
      if (isPattern(re)) res.push(re);
      else at(['filters', field, ...(Array.isArray(value) ? [i] : [])], re.error);
    });
    filters.push([field, res]);
  }

  if (scope === 'participant') {
    for (const k of [
      'breaching',
      'min_participants',
      'group_by',
      'explains',
      'mute_participant_alerts',
    ] as const)
      if (raw[k] !== undefined)
        at([k], `"${k}" is for instance and shared_cause rules; this rule's scope is participant`);
  } else {
    if (!raw.breaching) at([], `a ${scope} rule needs breaching: { count: N } or { ratio: X% }`);
    if (scope === 'instance' && raw.group_by) at(['group_by'], '"group_by" is for shared_cause rules');
    if (scope === 'shared_cause' && !raw.group_by)
      at([], `a shared_cause rule needs group_by, one of: ${CONTEXT_FIELDS.map((f) => f.rule).join(', ')}`);
    for (const k of ['explains', 'mute_participant_alerts'] as const)
      if (scope === 'instance' && raw[k] !== undefined) at([k], `"${k}" is for shared_cause rules`);
    if (scope === 'shared_cause' && raw.explained !== undefined)
      at(['explained'], '"explained" is for participant and instance rules: what a shared cause explains');
  }

  for (const [k, tpl] of Object.entries(raw.annotations ?? {}))
    for (const p of checkTemplate(tpl)) at(['annotations', k], p);

  if (scope === 'participant' && raw.explained?.ratio !== undefined)
    at(['explained', 'ratio'], '"ratio" is for instance rules: a participant alert is explained or not');

  if (problems.length > before || 'error' in threshold) return undefined;
  const sources = new Set(raw.sources ?? SOURCE_KINDS);
  const matches = (s: QosSample): boolean => {
    if (!sources.has(s.instance.kind)) return false;
    for (const [field, res] of filters) {
      const values = FILTER_VALUES[field](s);
      if (!res.some((re) => values.some((v) => re.test(v)))) return false;
    }
    return true;
  };
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
    above,
    threshold: threshold.value,
    forMs: raw.for ? durationMs(raw.for) : 0,
    recoveryThreshold: recovery && 'value' in recovery ? recovery.value : threshold.value,
    recoveryForMs: raw.recovery?.for ? durationMs(raw.recovery.for) : 0,
    severity: raw.severity ?? 'warning',
    labels: raw.labels ?? {},
    annotations: raw.annotations ?? {},
    matches,
    ...(raw.breaching?.count !== undefined ? { breachingCount: raw.breaching.count } : {}),
    ...(raw.breaching?.ratio !== undefined ? { breachingRatio: parseFloat(raw.breaching.ratio) / 100 } : {}),
    minParticipants: raw.min_participants ?? (scope === 'participant' ? 1 : 3),
    ...(raw.group_by ? { groupBy: raw.group_by } : {}),
    explains: raw.explains ?? raw.mute_participant_alerts ?? false,
    explainedRatio: raw.explained?.ratio ? parseFloat(raw.explained.ratio) / 100 : 1,
    inhibitWhenExplained: raw.explained?.inhibit ?? true,
  };
}
