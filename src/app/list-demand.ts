import type { Config } from '../config/types.js';
import { listFieldsFor, listNeeds, unpolledUses } from '../evaluate/field-needs.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import { CONTEXT_BY_RULE, liveSource, type FieldDef } from '../normalize/catalog.js';
import type { SourceKind } from '../normalize/sample.js';
import { formatDuration } from '../util/duration.js';

/** The kinds of instance a configuration polls. */
export function polledKinds(config: Config): Set<SourceKind> {
  return new Set<SourceKind>([
    ...(config.zoom && config.sources.meetings ? (['meeting'] as const) : []),
    ...(config.zoom && config.sources.webinars ? (['webinar'] as const) : []),
    ...(config.videosdk && config.sources.sessions ? (['session'] as const) : []),
  ]);
}

/** `poll.list_fields` as catalog rows, for one kind. */
const configured = (config: Config, kind: SourceKind): FieldDef[] =>
  config.poll.listFields
    .map((name) => CONTEXT_BY_RULE.get(name))
    .filter((f): f is FieldDef => f !== undefined && liveSource(f, kind) === 'list');

/**
 * Per kind, the fields only the participants list gives that must be read: those the loaded
 * rules use (derived again when a reload swaps the rule list) and `poll.list_fields`.
 */
export function listFieldsSource(
  rules: () => readonly CompiledRule[],
  config: Config,
): (kind: SourceKind) => readonly FieldDef[] {
  let seen: readonly CompiledRule[] | undefined;
  const memo = new Map<SourceKind, readonly FieldDef[]>();
  return (kind) => {
    const now = rules();
    if (now !== seen) {
      seen = now;
      memo.clear();
    }
    let fields = memo.get(kind);
    if (!fields)
      memo.set(kind, (fields = [...new Set([...configured(config, kind), ...listFieldsFor(now, kind)])]));
    return fields;
  };
}

/** QoS calls an hour for a meeting of this many participants polled every `min_interval`. */
const qosPerHour = (participants: number, config: Config): number =>
  Math.ceil(participants / 10) * Math.round(3_600_000 / config.poll.minIntervalMs);

/**
 * What `qoswatch check`, start-up and each reload say about the participants list: which rule
 * (at file:line:col) makes qoswatch read it and for what, what that costs in the budget, or that
 * it is not read for list-only fields; and warnings for fields no polled source gives.
 */
export function listReport(
  rules: readonly CompiledRule[],
  config: Config,
): { lines: string[]; warnings: string[] } {
  const polled = polledKinds(config);
  const needs = listNeeds(rules, polled);
  const fromConfig = [...polled].flatMap((k) => configured(config, k));
  const warnings = unpolledUses(rules, polled).map((u) => `${u.at}: ${u.message}`);
  const fields = [...new Set([...needs.map((n) => n.field), ...fromConfig])];
  if (!fields.length)
    return {
      lines: [
        'participants list: not read for list-only fields (no rule uses role, audio_quality, ...); read only for QoS entries without their own context (older shape)',
      ],
      warnings,
    };
  const lines = needs.map(
    (n) =>
      `${n.at}: rule "${n.rule}" ${n.as === 'filter' ? 'filters on' : n.as === 'group_by' ? 'groups by' : 'shows'} ${n.field.rule}, which only the participants list gives: qoswatch reads ${n.kinds.map((k) => `/metrics/${k}s/{id}/participants`).join(', ')} for it`,
  );
  if (fromConfig.length)
    lines.push(
      `poll.list_fields: ${[...new Set(fromConfig.map((f) => f.rule))].join(', ')} read from the participants list`,
    );
  const verdicts = fields.filter((f) => f.changes === 'with_quality');
  const rarely = fields.filter((f) => (f.changes ?? 'rarely') === 'rarely');
  const onLeave = fields.filter((f) => f.changes === 'on_leave');
  const refreshMs = Math.min(
    verdicts.length ? config.poll.verdictRefreshMs : Infinity,
    rarely.length ? config.poll.contextRefreshMs : Infinity,
  );
  const perHour = Number.isFinite(refreshMs) ? Math.ceil(3_600_000 / refreshMs) : 0;
  const when = [
    'when a join first appears',
    ...(verdicts.length
      ? [
          `every ${formatDuration(config.poll.verdictRefreshMs)} (${verdicts.map((f) => f.rule).join(', ')}: poll.verdict_refresh)`,
        ]
      : []),
    ...(rarely.length
      ? [
          `every ${formatDuration(config.poll.contextRefreshMs)} (${rarely.map((f) => f.rule).join(', ')}: poll.context_refresh)`,
        ]
      : []),
    ...(onLeave.length ? ['once after a join leaves (leave_reason)'] : []),
  ];
  lines.push(
    `participants list budget: 1 Heavy call per 300 participants of each live instance, ${when.join(', ')}; ` +
      `about ${perHour} calls an hour per live instance plus one per poll in which someone new joins ` +
      `(a meeting of 50 polled every ${formatDuration(config.poll.minIntervalMs)} costs ${qosPerHour(50, config)} QoS calls an hour)`,
  );
  return { lines, warnings };
}
