/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- the compose file is untyped YAML walked as plain data; the compose-spec schema checks its shape */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { fromRoot } from '../../src/util/package-root.js';
import { debianBinary } from '../helpers/binaries.js';
import { runCli } from '../helpers/cli.js';

type Any = any;

/**
 * deploy/compose/ checked without Docker: the compose file against the compose-spec JSON
 * schema (the copy dclint ships and keeps in step with compose-spec), every file it mounts,
 * Prometheus's config with promtool as the container sees it, Alertmanager's with amtool, the
 * qoswatch config with `qoswatch check`, and the ports and paths that tie the services together.
 */
const dir = fromRoot('deploy', 'compose');
const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
const compose: Any = parse(read('compose.yaml'));
const services: Record<string, Any> = compose.services;
const promtool = debianBinary('promtool', 'prometheus');
const amtool = debianBinary('amtool', 'prometheus-alertmanager');

/** The operator's .env, as .env.example shows it (commented lines left out unless asked for). */
function envExample(uncomment: (line: string) => boolean = () => false): Record<string, string> {
  const env: Record<string, string> = {};
  for (let line of read('.env.example').split('\n')) {
    if (line.startsWith('# ') && uncomment(line.slice(2))) line = line.slice(2);
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}
const demo = (line: string): boolean => /^ZOOM_(API|OAUTH)_URL=/.test(line);

interface Mount {
  source: string;
  target: string;
  bind: boolean;
}
/** A service's volumes (short syntax: source:target[:mode]); bind sources resolved on the host. */
function mounts(service: string): Mount[] {
  return (services[service].volumes ?? []).map((v: string) => {
    const [source, target] = v.split(':') as [string, string];
    const bind = source.startsWith('.') || isAbsolute(source);
    return { source: bind ? resolve(dir, source) : source, target, bind };
  });
}

/** Where a path inside a service's container comes from on the host (through its bind mounts). */
function hostPath(service: string, path: string): string | undefined {
  for (const m of mounts(service).filter((x) => x.bind))
    if (path === m.target || path.startsWith(`${m.target}/`)) return join(m.source, relative(m.target, path));
  return undefined;
}

/** The service's bind mounts copied under a temp root at their container paths: the container's view. */
function containerView(service: string): string {
  const root = mkdtempSync(join(tmpdir(), `qw-compose-${service}-`));
  for (const m of mounts(service).filter((x) => x.bind)) {
    mkdirSync(dirname(join(root, m.target)), { recursive: true });
    cpSync(m.source, join(root, m.target), { recursive: true });
  }
  return root;
}

const flag = (service: string, name: string): string | undefined =>
  (services[service].command as string[]).find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
/** The container port a service publishes for `port` ("host:container"). */
const published = (service: string): number[] =>
  (services[service].ports ?? []).map((p: string) => Number(p.split(':').at(-1)));

describe('deploy/compose', () => {
  it('is valid against the compose-spec schema', () => {
    const require = createRequire(import.meta.url);
    const schemaFile = join(
      dirname(require.resolve('dclint/package.json')),
      'schemas',
      'compose.schema.json',
    );
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    expect(schema.title).toBe('Compose Specification');
    // Its "$schema" names draft-07 by an https URI that is not ajv's id for it; ajv's default is draft-07.
    expect(schema.$schema).toMatch(/draft-07/);
    delete schema.$schema;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    // And a wrong one is caught (the schema really is applied).
    const wrong = structuredClone(compose);
    wrong.services.qoswatch.ports = 9781;
    wrong.services.grafana.restart_policy = 'always';
    expect(validate(wrong)).toBe(false);
  });

  it('runs the four services, and every file it mounts or builds from exists', () => {
    expect(Object.keys(services).sort()).toEqual([
      'alertmanager',
      'grafana',
      'prometheus',
      'qoswatch',
      'simulator',
    ]);
    const missing: string[] = [];
    for (const name of Object.keys(services)) {
      for (const m of mounts(name)) {
        if (m.bind && !existsSync(m.source)) missing.push(`${name}: ${m.source}`);
        if (!m.bind && !(m.source in (compose.volumes ?? {}))) missing.push(`${name}: volume ${m.source}`);
      }
      const build = services[name].build;
      if (build && !existsSync(join(dir, build.context, build.dockerfile)))
        missing.push(`${name}: ${build.dockerfile}`);
      for (const dep of services[name].depends_on ?? []) if (!services[dep]) missing.push(`${name}: ${dep}`);
    }
    expect(missing).toEqual([]);
    // Images are pinned to a version, never `latest`.
    for (const [name, s] of Object.entries(services))
      expect(s.image, name).toMatch(/^[\w./-]+:(v?\d[\w.-]*|local)$/);
  });

  it('every variable compose.yaml requires is in .env.example, and qoswatch gets each one its config reads', () => {
    const text = read('compose.yaml');
    const required = [...text.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(3);
    const env = envExample();
    expect(required.filter((v) => !(v in env))).toEqual([]);
    const used = [...read('qoswatch.yaml').matchAll(/\$\{(\w+)/g)].map((m) => m[1]!);
    expect(used.filter((v) => !(v in services.qoswatch.environment))).toEqual([]);
  });

  it.each([
    { name: 'with .env.example as it is', env: envExample() },
    { name: 'with the demo lines (the simulator)', env: envExample(demo) },
  ])('the qoswatch config passes `qoswatch check` $name', async ({ env }) => {
    const root = containerView('qoswatch');
    const r = await runCli(['check', '--config', join(root, 'etc', 'qoswatch', 'config.yaml')], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /: valid \(sources: meetings, webinars; metrics on 0\.0\.0\.0:9781\); \d+ rules valid/,
    );
    expect(r.code).toBe(0);
  });

  it('qoswatch: the config where the image reads it, state on a volume, the metrics port published, a stop within the grace', () => {
    const cmd = /^CMD (.+)$/m.exec(readFileSync(fromRoot('Dockerfile'), 'utf8'))![1]!;
    const configPath = (JSON.parse(cmd) as string[]).at(-1)!;
    expect(configPath).toBe('/etc/qoswatch/config.yaml');
    const file = hostPath('qoswatch', configPath);
    expect(file).toBe(join(dir, 'qoswatch.yaml'));
    const config = loadConfig(file!, envExample());
    const state = mounts('qoswatch').find((m) => m.target === config.stateDir);
    expect(state?.bind).toBe(false);
    expect(published('qoswatch')).toEqual([config.metrics.port]);
    const grace = Number(/^(\d+)s$/.exec(services.qoswatch.stop_grace_period)![1]) * 1000;
    expect(config.run.shutdownTimeoutMs + 1000).toBeLessThan(grace);
    // Call-quality alerts go to the stack's Alertmanager, on the port it listens on.
    const am = config.notify.notifiers.find((n) => n.type === 'alertmanager');
    expect(am?.type).toBe('alertmanager');
    const url = new URL(am?.type === 'alertmanager' ? am.settings.url : '');
    expect(services[url.hostname]).toBeDefined();
    expect(published(url.hostname)).toContain(Number(url.port));
    // The demo profile's simulator is where .env.example's demo lines point.
    const sim = envExample(demo);
    const simCommand = services.simulator.command as string[];
    const simPort = simCommand[simCommand.indexOf('--port') + 1];
    expect(sim.ZOOM_API_URL).toBe(`http://simulator:${simPort}`);
    expect(sim.ZOOM_OAUTH_URL).toBe(`http://simulator:${simPort}/oauth/token`);
  });

  it('prometheus: scrapes qoswatch where it listens, as job="qoswatch", and alerts to Alertmanager', () => {
    const configFile = flag('prometheus', 'config.file')!;
    const prom: Any = parse(readFileSync(hostPath('prometheus', configFile)!, 'utf8'));
    const config = loadConfig(hostPath('qoswatch', '/etc/qoswatch/config.yaml')!, envExample());
    const job = prom.scrape_configs.find((j: Any) => j.job_name === 'qoswatch');
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job.static_configs[0].targets).toEqual([`qoswatch:${config.metrics.port}`]);
    // The self-health rules mounted are the shipped ones, and ask for that job.
    const rules = mounts('prometheus').find((m) => m.target.startsWith('/etc/prometheus/rules/'))!;
    expect(rules.source).toBe(fromRoot('docs', 'prometheus', 'qoswatch-alerts.yml'));
    expect(readFileSync(rules.source, 'utf8')).toContain('up{job="qoswatch"}');
    const [host, port] = (prom.alerting.alertmanagers[0].static_configs[0].targets[0] as string).split(':');
    expect(services[host!]).toBeDefined();
    expect(published(host!)).toContain(Number(port));
    expect(hostPath('alertmanager', flag('alertmanager', 'config.file')!)).toBe(
      join(dir, 'alertmanager', 'alertmanager.yml'),
    );
  });

  it.runIf(promtool)(
    'prometheus: its config as the container sees it passes promtool check config, rules included',
    () => {
      const root = containerView('prometheus');
      const r = spawnSync(promtool!, ['check', 'config', join(root, flag('prometheus', 'config.file')!)], {
        encoding: 'utf8',
      });
      expect(r.stdout + r.stderr).toMatch(/SUCCESS: 1 rule files found/);
      expect(r.stdout + r.stderr).toMatch(/SUCCESS: 10 rules found/);
      expect(r.status).toBe(0);
      const rules = spawnSync(
        promtool!,
        ['check', 'rules', join(root, 'etc', 'prometheus', 'rules', 'qoswatch-alerts.yml')],
        {
          encoding: 'utf8',
        },
      );
      expect(rules.stdout).toContain('SUCCESS: 10 rules found');
      expect(rules.status).toBe(0);
    },
  );

  it.runIf(amtool)('alertmanager: its config passes amtool check-config', () => {
    const r = spawnSync(amtool!, ['check-config', join(dir, 'alertmanager', 'alertmanager.yml')], {
      encoding: 'utf8',
    });
    expect(r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('grafana: the Prometheus data source at its address, the dashboard provisioned from docs/grafana', () => {
    const provisioning = hostPath('grafana', '/etc/grafana/provisioning/datasources')!;
    const ds: Any = parse(readFileSync(join(provisioning, 'prometheus.yaml'), 'utf8'));
    const source = ds.datasources[0];
    expect(source.type).toBe('prometheus');
    expect(source.isDefault).toBe(true);
    const url = new URL(source.url);
    expect(published(url.hostname)).toContain(Number(url.port));
    const providers: Any = parse(
      readFileSync(hostPath('grafana', '/etc/grafana/provisioning/dashboards/qoswatch.yaml')!, 'utf8'),
    );
    const path = providers.providers[0].options.path as string;
    const dashboardDir = hostPath('grafana', join(path, 'qoswatch-dashboard.json'))!;
    expect(dashboardDir).toBe(fromRoot('docs', 'grafana', 'qoswatch-dashboard.json'));
    expect(statSync(dashboardDir).isFile()).toBe(true);
    // The dashboard's data source variable picks a Prometheus data source: the one provisioned.
    const dashboard: Any = JSON.parse(readFileSync(dashboardDir, 'utf8'));
    const variable = dashboard.templating.list.find((v: Any) => v.type === 'datasource');
    expect(variable.query).toBe(source.type);
    expect(services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      join(path, 'qoswatch-dashboard.json'),
    );
  });
});
