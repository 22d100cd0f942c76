import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { buildRoute } from '../../src/notify/build.js';
import { matchRoutes } from '../../src/notify/pipeline/routing.js';
import { continueWarnings } from '../../src/notify/route-check.js';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';

/**
 * Every config example in the docs is a file in docs/examples/, included verbatim after an
 * `<!-- example: docs/examples/NAME.yaml -->` marker: the file is what is tested, the text is
 * what people copy.
 */
const EXAMPLES = fromRoot('docs', 'examples');
const DOCS = [
  'README.md',
  ...readdirSync(fromRoot('docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const MARKER = /<!-- example: (docs\/examples\/[\w.-]+\.yaml)[^>]*-->\n\n```yaml\n([\s\S]*?)```\n/g;
const env = {
  SLACK_BOT_TOKEN: 'xoxb-example',
  SMTP_PASSWORD: 'example',
  // bcrypt of "example", as `qoswatch hash-password` prints it
  ZOOM_QSS_SECRET_TOKEN: 'simulator-secret-token',
  QOSWATCH_WEB_HASH: '$2b$10$6lUJ/1AKwBozS7JcpMoTne/CayUX9q5PbQvJI5t0SUFyVtVWVO18W',
};
const dir = mkdtempSync(join(tmpdir(), 'qw-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * An example with the Zoom section every config needs, as a file `qoswatch check` can read (an
 * example that is a whole config, with its own `zoom:`, as it is).
 */
function asConfig(name: string): string {
  const text = readFileSync(join(EXAMPLES, name), 'utf8');
  if (/^zoom:/m.test(text)) return join(EXAMPLES, name);
  const file = join(dir, name);
  writeFileSync(file, 'zoom: { account_id: a, client_id: c, client_secret: s }\n' + text);
  return file;
}

const included = new Map<string, string[]>();
for (const doc of DOCS)
  for (const m of readFileSync(fromRoot(doc), 'utf8').matchAll(MARKER))
    included.set(m[1]!, [...(included.get(m[1]!) ?? []), doc]);

describe('docs examples', () => {
  const all = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  // Rule files are NAME.rules.yaml, rule tests NAME.test.yaml; every other example is a configuration.
  const files = all.filter((f) => !f.endsWith('.rules.yaml') && !f.endsWith('.test.yaml'));
  const ruleExamples = all.filter((f) => f.endsWith('.rules.yaml'));
  const ruleTestExamples = all.filter((f) => f.endsWith('.test.yaml'));

  it('every example file is included in the docs, and every inclusion is the file verbatim', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of all) expect(included.get(`docs/examples/${f}`), f).toBeDefined();
    for (const doc of DOCS)
      for (const m of readFileSync(fromRoot(doc), 'utf8').matchAll(MARKER))
        expect(m[2], `${doc} includes ${m[1]!}`).toBe(readFileSync(fromRoot(m[1]!), 'utf8'));
  });

  it.each(files)('%s loads, and its routing has no continue without a later sibling', (f) => {
    const config = loadConfig(asConfig(f), env);
    expect(continueWarnings(config.notify.route)).toEqual([]);
  });

  // An example that check warns about teaches what it warns against; a fixed date in one expires
  // (a silence's ends is warned about once past), so each is checked as people will run it: today.
  it.each(files)('%s: qoswatch check passes it without a warning', async (f) => {
    const r = await runCli(['check', '--config', asConfig(f)], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.each(ruleExamples)(
    '%s is a valid rule file (its behaviour: test/poll/participants-list.test.ts)',
    (f) => {
      expect(loadRules([join(EXAMPLES, f)]).length).toBeGreaterThan(0);
    },
  );

  it.each(ruleTestExamples)('%s: qoswatch test-rules passes it', async (f) => {
    expect(ruleTestExamples.length).toBeGreaterThan(0);
    const r = await runCli(['test-rules', join(EXAMPLES, f)]);
    expect(r).toMatchObject({ code: 0, stdout: '1 passed, 0 failed\n', stderr: '' });
  });

  it.each(['slack-and-email.yaml', 'notifications.yaml'])(
    '%s: critical alerts reach e-mail and Slack, as the comments say; others reach Slack',
    (f) => {
      const route = buildRoute(loadConfig(asConfig(f), env).notify);
      const receivers = (labels: Record<string, string>): string[] =>
        matchRoutes(route, labels).map((r) => r.receiver);
      expect(receivers({ alertname: 'datacenter-loss-incident', severity: 'critical' })).toEqual([
        'oncall-mail',
        'noc-slack',
      ]);
      expect(receivers({ alertname: 'audio-latency-high', severity: 'warning' })).toEqual(['noc-slack']);
    },
  );

  it('reports.yaml: reports of calls with alerts go to e-mail and Slack, kept 30 days, served behind basic auth', () => {
    const config = loadConfig(asConfig('reports.yaml'), env);
    expect(config.reports).toMatchObject({
      send: 'alerts',
      receivers: ['av-team-mail', 'noc-slack'],
      keepMs: 30 * 86_400_000,
      delayMs: 120_000,
    });
    expect(Object.keys(config.metrics.basicAuthUsers ?? {})).toEqual(['admin']);
  });

  it('webhooks-simulator.yaml: `qoswatch check` passes on the file as docs/webhooks.md gives it (issue 15)', async () => {
    const file = join(EXAMPLES, 'webhooks-simulator.yaml');
    const check = await runCli(['check', '--config', file], {
      ZOOM_QSS_SECRET_TOKEN: 'simulator-secret-token',
    });
    expect(check).toMatchObject({ code: 0 });
    expect(loadConfig(file, env).webhooks?.apps[0]).toMatchObject({
      path: '/zoom/qss',
      eventClock: 'follow',
    });
  });

  it('qoswatch routes prints the receivers of the README example, read as it is (no zoom section, no secret set)', async () => {
    const file = join(EXAMPLES, 'slack-and-email.yaml');
    // Set but empty: the machine's own values cannot leak in, and empty counts as unset.
    const noSecrets = { SLACK_BOT_TOKEN: '', SMTP_PASSWORD: '' };
    const critical = await runCli(
      ['routes', '--config', file, '--labels', 'severity=critical,alertname=x'],
      noSecrets,
    );
    expect(critical).toMatchObject({ code: 0, stdout: 'oncall-mail,noc-slack\n', stderr: '' });
    const warning = await runCli(['routes', '--config', file, '--labels', 'severity=warning'], noSecrets);
    expect(warning).toMatchObject({ code: 0, stdout: 'noc-slack\n' });
    // check reads the file as run does: there the secrets' variables must be set.
    const check = await runCli(['check', '--config', asConfig('slack-and-email.yaml')], env);
    expect(check.code).toBe(0);
    expect(check.stderr).not.toMatch(/warning/);
    const unset = await runCli(['check', '--config', asConfig('slack-and-email.yaml')], noSecrets);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('environment variable SLACK_BOT_TOKEN is set but empty');
    expect(unset.stderr).toContain('environment variable SMTP_PASSWORD is set but empty');
  });
});
