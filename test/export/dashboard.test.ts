import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { fromRoot } from '../../src/util/package-root.js';
import { debianBinary } from '../helpers/binaries.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * The Grafana dashboard (docs/grafana/qoswatch-dashboard.json, provisioned by deploy/compose):
 * a data source variable and job/instance variables that every query uses, `$__rate_interval`
 * for every range, and only metric names that a running daemon's /metrics really has.
 */
interface Target {
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
  includeAll?: boolean;
  allValue?: string;
}
const dashboard = JSON.parse(
  readFileSync(fromRoot('docs', 'grafana', 'qoswatch-dashboard.json'), 'utf8'),
) as {
  __inputs?: unknown;
  templating: { list: Variable[] };
  panels: Panel[];
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));
const variable = (name: string): Variable | undefined =>
  dashboard.templating.list.find((v) => v.name === name);
const queryOf = (v: Variable): string => (typeof v.query === 'string' ? v.query : v.query.query);
/** Every metric a PromQL expression selects, with its label matchers (empty when it has none). */
const selectors = (expr: string): { metric: string; matchers: string }[] =>
  [...expr.matchAll(/\b(qoswatch_[a-z_]+)(?:\{([^}]*)\})?/g)].map((m) => ({
    metric: m[1]!,
    matchers: m[2] ?? '',
  }));

const promtool = debianBinary('promtool', 'prometheus');
let h: SimHarness;
let daemon: Daemon;
let exported = new Set<string>();

beforeAll(async () => {
  h = await startSim({ meetings: [meetingWith(3)] });
  ({ daemon } = daemonFor(h));
  await runUntil(daemon, h, h.clock.now() + 3 * 60_000);
  const url = await daemon.listen();
  const text = await (await fetch(`${url}/metrics`)).text();
  exported = new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap((m) =>
      m[2] === 'histogram' ? [`${m[1]!}_bucket`, `${m[1]!}_count`, `${m[1]!}_sum`] : [m[1]!],
    ),
  );
}, 60_000);
afterAll(async () => {
  await daemon?.close();
  await h?.close();
});

describe('the Grafana dashboard', () => {
  it('has a Prometheus data source variable that every panel and query uses (no import-only ${DS_...} inputs)', () => {
    expect(variable('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(dashboard.__inputs).toBeUndefined();
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels)
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    for (const t of targets)
      expect(t.datasource, t.panel).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('has job and instance variables read from the data source, instance within the chosen jobs', () => {
    const job = variable('job')!;
    const instance = variable('instance')!;
    for (const v of [job, instance]) {
      expect(v).toMatchObject({
        type: 'query',
        datasource: { uid: '${datasource}' },
        includeAll: true,
        allValue: '.+',
      });
      for (const s of selectors(queryOf(v))) expect(exported.has(s.metric), s.metric).toBe(true);
    }
    expect(queryOf(job)).toMatch(/^label_values\(qoswatch_\w+, job\)$/);
    expect(queryOf(instance)).toMatch(/^label_values\(qoswatch_\w+\{job=~"\$job"\}, instance\)$/);
  });

  it('filters every metric of every query by $job and $instance', () => {
    expect(targets.length).toBeGreaterThan(15);
    for (const t of targets) {
      const found = selectors(t.expr);
      expect(found.length, t.expr).toBeGreaterThan(0);
      for (const s of found) {
        expect(s.matchers, `${t.panel}: ${t.expr}`).toContain('job=~"$job"');
        expect(s.matchers, `${t.panel}: ${t.expr}`).toContain('instance=~"$instance"');
      }
    }
  });

  it('uses $__rate_interval for every range, never a fixed window', () => {
    const ranges = targets.flatMap((t) => [...t.expr.matchAll(/\[([^\]]+)\]/g)].map((m) => [t.expr, m[1]!]));
    expect(ranges.length).toBeGreaterThan(3);
    for (const [expr, range] of ranges) expect(range, expr).toBe('$__rate_interval');
  });

  it('references only metric names a running daemon exports on /metrics', () => {
    expect(exported.size).toBeGreaterThan(30);
    const unknown = targets
      .flatMap((t) => selectors(t.expr).map((s) => s.metric))
      .filter((m) => !exported.has(m));
    expect(unknown).toEqual([]);
  });

  it.runIf(promtool)(
    'every query is valid PromQL once Grafana fills in its variables (promtool check rules)',
    () => {
      const fill = (expr: string): string =>
        expr.replaceAll('$__rate_interval', '2m').replaceAll('$job', '.+').replaceAll('$instance', '.+');
      const rules = targets.map((t, i) => ({ record: `dashboard:query_${i}`, expr: fill(t.expr) }));
      const file = join(mkdtempSync(join(tmpdir(), 'qw-dashboard-')), 'queries.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const r = spawnSync(promtool!, ['check', 'rules', file], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(r.status).toBe(0);
    },
  );
});
