import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulesSchema, RULES_SCHEMA_FILE } from '../../src/evaluate/load-rules.js';
import { METRIC_BY_NAME } from '../../src/evaluate/metrics.js';
import { TEMPLATE_FIELDS } from '../../src/evaluate/templates.js';
import { STREAM_METRICS, SAMPLE_METRICS } from '../../src/export/collectors/aggregates.js';
import {
  CATALOG,
  CONTEXT_FIELDS,
  FIELDS,
  liveSource,
  MEASUREMENTS,
  type Appearance,
} from '../../src/normalize/catalog.js';
import { DOC_TABLES, docTable, tableCells } from '../../src/normalize/catalog-docs.js';
import { fromRoot } from '../../src/util/package-root.js';

describe('the field catalog', () => {
  it('names each field once: keys unique per group, rule and Prometheus names unique', () => {
    const keys = FIELDS.map((f) => `${f.group}.${f.key}`);
    expect(new Set(keys).size).toBe(keys.length);
    const rules = FIELDS.flatMap((f) => [
      `${f.group === 'context' ? 'ctx' : 'm'}:${f.rule}`,
      ...(f.aliases ?? []).map((a) => `m:${a}`),
    ]);
    expect(new Set(rules).size).toBe(rules.length);
    const prom = FIELDS.flatMap((f) => (f.prom ? [f.prom.name] : []));
    expect(new Set(prom).size).toBe(prom.length);
    for (const n of prom) expect(n).toMatch(/^qoswatch_[a-z_]+$/);
    expect(CATALOG.length).toBe(FIELDS.length);
  });

  it('is what rules, templates and the export are made of', () => {
    for (const f of MEASUREMENTS) {
      expect(METRIC_BY_NAME.get(f.rule)?.field, f.rule).toBe(f);
      for (const a of f.aliases ?? []) expect(METRIC_BY_NAME.get(a)?.field).toBe(f);
    }
    for (const f of CONTEXT_FIELDS) expect(TEMPLATE_FIELDS).toContain(f.rule);
    const exported = [...STREAM_METRICS, ...SAMPLE_METRICS].map((m) => m.field);
    expect(exported).toEqual(MEASUREMENTS.filter((f) => f.prom));
    // The fields the issue asked for are there.
    for (const m of ['max_loss', 'resolution_width', 'resolution_height', 'cpu_zoom_min', 'cpu_system_max'])
      expect(METRIC_BY_NAME.has(m), m).toBe(true);
    for (const m of [
      'wifi_rssi_min',
      'wifi_rssi',
      'wifi_rssi_max',
      'cpu_pressure_min',
      'cpu_pressure',
      'cpu_pressure_max',
    ])
      expect(METRIC_BY_NAME.has(m), m).toBe(true);
    const ctx = CONTEXT_FIELDS.map((f) => f.rule);
    for (const c of [
      'health',
      'issue_list',
      'audio_quality',
      'video_quality',
      'screen_share_quality',
      'leave_reason',
    ])
      expect(ctx).toContain(c);
    for (const c of [
      'role',
      'status',
      'microphone',
      'speaker',
      'camera',
      'full_data_center',
      'recording',
      'os',
      'browser',
    ])
      expect(ctx).toContain(c);
    for (const c of ['share_application', 'share_desktop', 'share_whiteboard']) expect(ctx).toContain(c);
  });

  it("says where each context field is, as Zoom's examples carry it (zoomnet: QoS entries, lists, Video SDK)", () => {
    const items = (file: string, key: string): Record<string, unknown>[] =>
      (
        JSON.parse(
          readFileSync(fromRoot('test', 'fixtures', 'zoom-samples', 'zoomnet', 'endpoints', file), 'utf8'),
        ) as Record<string, Record<string, unknown>[]>
      )[key]!;
    const answers: [Appearance, Record<string, unknown>[]][] = [
      ['qos_entry', items('metrics-meetings-{meetingId}-participants-qos_GET.json', 'participants')],
      ['qos_entry', items('metrics-webinars-{webinarId}-participants-qos_GET.json', 'participants')],
      ['participants', items('metrics-meetings-{meetingId}-participants_GET.json', 'participants')],
      ['session_entry', items('videosdk-sessions-{sessionId}-users-qos_GET.json', 'users')],
      ['session_users', items('videosdk-sessions-{sessionId}-users_GET.json', 'users')],
    ];
    for (const f of CONTEXT_FIELDS)
      for (const [where, list] of answers) {
        const carried = list.some((i) => f.zoom in i);
        expect(carried, `${f.zoom} in ${where}`).toBe(f.appears.includes(where));
      }
    // What the issue names as list-only is list-only for meetings; Video SDK has no role.
    const listOnly = CONTEXT_FIELDS.filter((f) => liveSource(f, 'meeting') === 'list').map((f) => f.rule);
    expect(listOnly.sort()).toEqual(
      [
        'audio_quality',
        'camera',
        'leave_reason',
        'microphone',
        'role',
        'screen_share_quality',
        'speaker',
        'status',
        'video_quality',
      ].sort(),
    );
    const role = CONTEXT_FIELDS.find((f) => f.rule === 'role')!;
    expect(liveSource(role, 'session')).toBeUndefined();
    // Zoom's webinar participants list has no status and no camera (its OpenAPI schema):
    // a rule on them for webinars is refused or warned about, not silently never matched.
    const byRule = (r: string): (typeof CONTEXT_FIELDS)[number] => CONTEXT_FIELDS.find((f) => f.rule === r)!;
    for (const r of ['status', 'camera']) {
      expect(liveSource(byRule(r), 'meeting'), r).toBe('list');
      expect(liveSource(byRule(r), 'webinar'), r).toBeUndefined();
    }
    expect(liveSource(role, 'webinar')).toBe('list');
  });

  it('keeps names, e-mails and IPs out: no catalog field is personal data', () => {
    for (const f of FIELDS)
      expect([
        'user_name',
        'name',
        'email',
        'ip_address',
        'pc_name',
        'mac_addr',
        'device_name',
      ]).not.toContain(f.zoom);
  });

  it('rules.schema.json lists the catalog metric, filter and group_by names (npm run schema writes it)', () => {
    expect(JSON.parse(readFileSync(RULES_SCHEMA_FILE, 'utf8'))).toEqual(rulesSchema());
  });

  it.each(Object.entries(DOC_TABLES))(
    'the docs table %s matches the catalog (npm run docs writes it)',
    (name, { file, render }) => {
      const text = readFileSync(fromRoot(...file.split('/')), 'utf8');
      const table = docTable(text, name);
      expect(table, `${file} has no <!-- catalog:${name} --> block`).toBeDefined();
      expect(tableCells(table!)).toEqual(tableCells(render()));
    },
  );

  it('the docs check can fail: a table that differs from the catalog is caught', () => {
    const { render } = DOC_TABLES['rule-metrics']!;
    const wrong = render().replace('`latency`', '`latency_ms`');
    expect(tableCells(wrong)).not.toEqual(tableCells(render()));
  });
});
