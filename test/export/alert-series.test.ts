import { spawnSync } from 'node:child_process';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { alertSeriesText } from '../../src/export/collectors/alert-series.js';
import { debianBinary } from '../helpers/binaries.js';
import { seeded } from '../helpers/storm.js';

const promtool = debianBinary('promtool', 'prometheus');

type Brief = Parameters<typeof alertSeriesText>[0] extends Iterable<infer B> ? B : never;

/** The series as prom-client counted them before (a gauge per family, inc per alert). */
async function promClientText(brief: Brief[]): Promise<string> {
  const registry = new Registry();
  const alerts = new Gauge({
    name: 'qoswatch_alerts',
    help: 'x',
    labelNames: ['alertname', 'severity', 'state'],
    registers: [registry],
  });
  const breaching = new Gauge({
    name: 'qoswatch_rule_breaching_participants',
    help: 'x',
    labelNames: ['alertname', 'kind', 'instance_id', 'instance_uuid'],
    registers: [registry],
  });
  for (const a of brief) {
    alerts.inc({ alertname: a.rule, severity: a.severity, state: a.state });
    if (a.scope === 'participant')
      breaching.inc({
        alertname: a.rule,
        kind: a.kind ?? '',
        instance_id: a.instanceId ?? '',
        instance_uuid: a.instanceUuid ?? '',
      });
  }
  return registry.metrics();
}

/** Every series of a text as `name{labels}` -> value, the order of series aside. */
function series(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n'))
    if (line && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), line.slice(at + 1));
    }
  return out;
}

/** Alerts over a few rules and instances, ids with quotes, backslashes, line feeds; some without kind or id. */
function randomBrief(random: () => number, n: number): Brief[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const ids = ['85012345678', '8"1\\2\n3', '1', '', '11'];
  return Array.from({ length: n }, () => {
    const id = pick(ids);
    const a: Brief = {
      rule: pick(['high-latency', 'loss', 'cpu"\\x']),
      severity: pick(['warning', 'critical']),
      state: pick(['pending', 'firing'] as const),
      scope: pick(['participant', 'participant', 'instance', 'datacenter']),
    };
    if (random() < 0.9) a.kind = pick(['meeting', 'webinar']);
    if (id) a.instanceId = id;
    // One UUID per id mostly, two ids sharing one UUID now and then.
    if (random() < 0.95) a.instanceUuid = random() < 0.1 ? 'shared==' : `${id}==`;
    return a;
  });
}

describe('alert series', () => {
  it('count what prom-client counted: alerts by rule, severity and state; breaching participants per rule and instance', async () => {
    const random = seeded(17);
    for (const n of [0, 1, 5, 50, 500]) {
      const brief = randomBrief(random, n);
      const text = alertSeriesText(brief);
      expect(series(text), `${n} alerts`).toEqual(series(await promClientText(brief)));
      expect(text).toMatch(/^# HELP qoswatch_alerts .*\n# TYPE qoswatch_alerts gauge\n/);
      expect(text).toContain('# TYPE qoswatch_rule_breaching_participants gauge\n');
    }
  });

  it.runIf(promtool)('pass promtool check metrics, lone surrogates sent as U+FFFD', () => {
    const brief = randomBrief(seeded(18), 200);
    brief.push({
      rule: 'r',
      severity: 'warning',
      state: 'firing',
      scope: 'participant',
      instanceId: 'a\uD800b',
    });
    const text = alertSeriesText(brief);
    expect(text).toContain('instance_id="a\uFFFDb"');
    const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
