import {
  APPEARANCE_TEXT,
  CATALOG,
  FIELDS,
  liveSource,
  NOT_READ,
  type BaseUnit,
  type Changes,
  type FieldDef,
} from './catalog.js';

/**
 * The docs' field tables, rendered from the catalog. `npm run docs` writes them between
 * `<!-- catalog:NAME -->` and `<!-- /catalog:NAME -->` in docs/*.md; a test fails when a
 * table in the docs and the catalog disagree.
 */

const UNIT_TEXT: Record<BaseUnit, string> = {
  seconds: 'seconds',
  ratio: 'ratio 0 to 1',
  bits_per_second: 'bits per second',
  frames_per_second: 'frames per second',
  pixels: 'pixels',
  dbm: 'dBm',
  level: 'word (levels)',
  score: 'number',
  text: 'text',
  flag: '`true` / `false`',
  list: 'text (list)',
};
const WHERE = APPEARANCE_TEXT;
const SAMPLE_PATH: Record<FieldDef['group'], string> = {
  stream: 'streams.*.',
  cpu: 'cpu.',
  wifi: 'wifi_rssi.',
  cpuPressure: 'cpu_pressure.',
  context: 'context.',
};
const OBJECT: Record<FieldDef['group'], string> = {
  stream: '',
  cpu: 'cpu_usage.',
  wifi: 'wifi_rssi.',
  cpuPressure: 'cpu_pressure_level.',
  context: '',
};

const code = (s: string): string => `\`${s}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|');
function table(head: string[], rows: string[][]): string {
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}
const unitOf = (f: FieldDef): string => (f.levels ? f.levels.map(code).join(', ') : UNIT_TEXT[f.unit]);
const measurements = FIELDS.filter((f) => f.group !== 'context');
const context = FIELDS.filter((f) => f.group === 'context');

/** docs/samples.md: every field of a normalized sample, where Zoom writes it, and its unit. */
function samples(): string {
  return table(
    ['sample field', 'Zoom field', 'where Zoom writes it', 'unit', 'meaning'],
    FIELDS.map((f) => [
      code(SAMPLE_PATH[f.group] + f.key),
      code(OBJECT[f.group] + f.zoom),
      f.appears.map((a) => WHERE[a]).join(', '),
      unitOf(f),
      f.about,
    ]),
  );
}

/** docs/rules.md: metrics a rule may name, with the unit of their thresholds. */
function ruleMetrics(): string {
  return table(
    ['metric', 'threshold', 'per stream', 'from Zoom', 'meaning'],
    measurements.map((f) => [
      [f.rule, ...(f.aliases ?? [])].map(code).join(', '),
      f.levels ? f.levels.map(code).join(', ') : code(f.example ?? ''),
      f.group === 'stream' ? 'yes' : 'no',
      code(OBJECT[f.group] + f.zoom),
      f.about,
    ]),
  );
}

const REFRESH: Record<Changes, string> = {
  rarely: '`poll.context_refresh`',
  with_quality: '`poll.verdict_refresh`',
  on_leave: 'once after the join leaves',
};

/** Where a live poll reads a context field, per kind (liveSource). */
function polledFrom(f: FieldDef): string {
  const dashboard = liveSource(f, 'meeting');
  const meetings =
    dashboard === 'entry'
      ? 'QoS entry'
      : dashboard === 'list'
        ? `participants list, only while a rule uses it (re-read: ${REFRESH[f.changes ?? 'rarely']})`
        : 'not polled';
  const sessions = liveSource(f, 'session') ? 'QoS entry' : 'none';
  return `meetings, webinars: ${meetings}; sessions: ${sessions}`;
}

/** docs/rules.md: context fields for filters, group_by and templates. */
function ruleContext(): string {
  return table(
    ['name', 'from Zoom', 'where Zoom writes it', 'read by the poll from', 'meaning'],
    context.map((f) => [
      code(f.rule),
      code(f.zoom),
      f.appears.map((a) => WHERE[a]).join(', '),
      polledFrom(f),
      f.about,
    ]),
  );
}

/** docs/metrics.md: the call-quality metrics exported per live instance. */
function metrics(): string {
  return table(
    ['metric', 'labels', 'from Zoom', 'meaning'],
    measurements
      .filter((f) => f.prom)
      .map((f) => [
        code(f.prom!.name),
        f.group === 'stream'
          ? 'kind, instance_id, instance_uuid, stream, direction, aggregation'
          : 'kind, instance_id, instance_uuid, aggregation',
        code(OBJECT[f.group] + f.zoom),
        f.prom!.help,
      ]),
  );
}

/** docs/zoom-client.md: what is read from each Zoom field, and what is not read and why. */
function zoomFields(): string {
  const read = CATALOG.map((f) => [
    code(OBJECT[f.group] + f.zoom),
    f.appears.map((a) => WHERE[a]).join(', '),
    code(SAMPLE_PATH[f.group] + f.key),
    unitOf(f),
  ]);
  return table(['Zoom field', 'where', 'read into', 'unit'], read);
}

function notRead(): string {
  return table(
    ['Zoom field', 'why it is not read'],
    Object.entries(NOT_READ).map(([k, why]) => [code(k), why]),
  );
}

export const DOC_TABLES: Record<string, { file: string; render: () => string }> = {
  samples: { file: 'docs/samples.md', render: samples },
  'rule-metrics': { file: 'docs/rules.md', render: ruleMetrics },
  'rule-context': { file: 'docs/rules.md', render: ruleContext },
  metrics: { file: 'docs/metrics.md', render: metrics },
  'zoom-fields': { file: 'docs/zoom-client.md', render: zoomFields },
  'zoom-not-read': { file: 'docs/zoom-client.md', render: notRead },
};

const block = (name: string): RegExp =>
  new RegExp(`(<!-- catalog:${name} -->)([\\s\\S]*?)(<!-- /catalog:${name} -->)`);

/** The table between a doc's markers, or undefined when the markers are missing. */
export function docTable(text: string, name: string): string | undefined {
  return block(name).exec(text)?.[2];
}

/** A doc with its table replaced by the catalog's. */
export function withTable(text: string, name: string): string {
  return text.replace(
    block(name),
    (_m, a: string, _t: string, b: string) => `${a}\n\n${DOC_TABLES[name]!.render()}\n\n${b}`,
  );
}

/** A markdown table's cells, padding ignored (prettier pads columns). */
export function tableCells(md: string): string[][] {
  return md
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}
