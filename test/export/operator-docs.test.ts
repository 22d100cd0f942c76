import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { debianBinary } from '../helpers/binaries.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

const promtool = debianBinary('promtool', 'prometheus');
let h: SimHarness;
let names = new Set<string>();

beforeAll(async () => {
  h = await startSim({ meetings: [meetingWith(3)] });
  const { daemon } = daemonFor(h);
  await runUntil(daemon, h, h.clock.now() + 3 * 60_000);
  const text = await daemon.parts.metrics.text();
  names = new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap((m) =>
      m[2] === 'histogram' ? [m[1]!, `${m[1]!}_bucket`, `${m[1]!}_count`, `${m[1]!}_sum`] : [m[1]!],
    ),
  );
});
afterAll(async () => h.close());

const exprsIn = (text: string): string[] => [...new Set(text.match(/qoswatch_[a-z_]+/g) ?? [])];

describe('operator files', () => {
  it.runIf(promtool)('the Prometheus alerting rules for qoswatch pass promtool check rules', () => {
    const r = spawnSync(
      promtool!,
      ['check', 'rules', fromRoot('docs', 'prometheus', 'qoswatch-alerts.yml')],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toContain('SUCCESS: 10 rules found');
    expect(r.status).toBe(0);
  });

  it.runIf(promtool)('every alert has a promtool test case, and they pass', () => {
    const tests = fromRoot('docs', 'prometheus', 'qoswatch-alerts.test.yml');
    const r = spawnSync(promtool!, ['test', 'rules', tests], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
    const alerts = [
      ...readFileSync(fromRoot('docs', 'prometheus', 'qoswatch-alerts.yml'), 'utf8').matchAll(
        /- alert: (\w+)/g,
      ),
    ].map((m) => m[1]);
    const tested = new Set([...readFileSync(tests, 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
  });

  it('every alert has a runbook_url whose anchor is a section of docs/deployment.md', () => {
    const rules = readFileSync(fromRoot('docs', 'prometheus', 'qoswatch-alerts.yml'), 'utf8');
    const headings = new Set(
      [...readFileSync(fromRoot('docs', 'deployment.md'), 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const alerts = [...rules.matchAll(/- alert: (\w+)[\s\S]*?runbook_url: \S+#(\S+)/g)];
    expect(alerts).toHaveLength(10);
    for (const [, alert, anchor] of alerts) {
      expect(anchor).toBe(alert!.toLowerCase());
      expect(headings.has(anchor!), anchor).toBe(true);
    }
  });

  it('the alerting rules and the Grafana dashboard only use metrics qoswatch exports', () => {
    const rules = readFileSync(fromRoot('docs', 'prometheus', 'qoswatch-alerts.yml'), 'utf8');
    const dashboard = JSON.parse(
      readFileSync(fromRoot('docs', 'grafana', 'qoswatch-dashboard.json'), 'utf8'),
    ) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(10);
    for (const metric of [...exprsIn(rules), ...exprsIn(exprs.join('\n'))])
      expect(names.has(metric), metric).toBe(true);
  });
});
