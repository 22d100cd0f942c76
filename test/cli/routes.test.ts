import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseLabels, receiversFor, routesHelp } from '../../src/cli/routes.js';
import type { RawRoute } from '../../src/config/raw.js';
import type { InhibitSettings, SilenceSettings } from '../../src/notify/settings.js';
import {
  continueWarnings,
  couldOverlap,
  inhibitReachWarnings,
  routeReachWarnings,
  silenceReachWarnings,
  silenceWarnings,
} from '../../src/notify/route-check.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-routes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOTIFIERS = `zoom: { account_id: a, client_id: c, client_secret: s }
notifiers:
  - { name: slack, type: console }
  - { name: mail, type: console }
  - { name: pager, type: console }
`;

function config(name: string, route: string): string {
  const file = join(dir, name);
  writeFileSync(file, NOTIFIERS + route);
  return file;
}

/** The README's old example: critical went to e-mail only, though the comment said Slack too. */
const BROKEN = `route:
  receiver: slack
  routes:
    - match: { severity: critical }
      receiver: mail
      continue: true # and on to the default (it does not: no later sibling)
`;

describe('continue warnings', () => {
  it.each<{ name: string; routes: RawRoute[]; warn: number }>([
    { name: 'no later sibling', routes: [{ match: { severity: 'critical' }, continue: true }], warn: 1 },
    {
      name: 'a catch-all sibling',
      routes: [{ match: { severity: 'critical' }, continue: true }, { receiver: 'slack' }],
      warn: 0,
    },
    {
      name: 'a sibling that cannot match the same alert',
      routes: [
        { match: { severity: 'critical' }, continue: true },
        { match: { severity: ['warning', 'info'] } },
      ],
      warn: 1,
    },
    {
      name: 'a sibling matching on another label',
      routes: [{ match: { severity: 'critical' }, continue: true }, { match: { scope: 'instance' } }],
      warn: 0,
    },
    {
      name: 'a sibling with a glob',
      routes: [{ match: { severity: 'critical' }, continue: true }, { match: { severity: 'crit*' } }],
      warn: 0,
    },
    {
      name: 'nested: the inner continue has no sibling',
      routes: [
        { match: { scope: 'instance' }, routes: [{ match: { severity: 'critical' }, continue: true }] },
      ],
      warn: 1,
    },
    { name: 'no continue', routes: [{ match: { severity: 'critical' } }], warn: 0 },
  ])('$name: $warn warning(s)', ({ routes, warn }) => {
    expect(continueWarnings({ receiver: 'slack', routes })).toHaveLength(warn);
  });

  it('values differing only in case overlap (matchers ignore case)', () => {
    expect(couldOverlap({ severity: 'Critical' }, { severity: 'critical' })).toBe(true);
  });

  it('qoswatch check warns at the continue line, and still exits 0', async () => {
    const file = config('broken.yaml', BROKEN);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `^warning: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:11:7: route\\.routes\\[0\\]\\.continue: continue: true, but no later sibling`,
        'm',
      ),
    );
    expect(r.stderr).toContain('add a catch-all route after it such as - { receiver: slack }');
  });
});

describe('silence warnings: a silence whose every matcher matches a missing label', () => {
  it.each<{ matchers: Record<string, string | string[]>; warn: number }>([
    { matchers: { team: '!ops' }, warn: 1 }, // an alert with no team label reads team '' : silenced
    { matchers: { team: '*' }, warn: 1 },
    { matchers: { team: ['!ops', '!db'], severity: '/.*/' }, warn: 1 },
    { matchers: { team: '!ops', alertname: 'wifi-signal-weak' }, warn: 0 },
    { matchers: { team: 'ops' }, warn: 0 },
  ])('$matchers: $warn warning(s)', ({ matchers, warn }) => {
    expect(silenceWarnings([{ matchers }])).toHaveLength(warn);
  });

  it('qoswatch check warns at the silence, and still exits 0', async () => {
    const file = config(
      'silence.yaml',
      `route: { receiver: slack }
silences:
  - matchers: { alertname: wifi-signal-weak, team: '!ops' }
    starts: 2026-11-24T09:00:00Z
    ends: 2099-11-24T11:00:00Z
  - matchers: { team: '!ops' }
    starts: 2026-11-24T09:00:00Z
    ends: 2099-11-24T11:00:00Z
`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(0);
    // One of these: the first silence names an alertname. (No default rule gives a team label,
    // so both also draw 'no alert carries the label "team"': tested below.)
    expect(r.stderr.match(/every matcher of this silence/g)).toHaveLength(1);
    expect(r.stderr).toContain(
      `warning: ${file}:11:5: silences[1].matchers: every matcher of this silence matches an alert without its label (team): a missing label reads as '', as in Alertmanager, so it holds back every alert without that label too`,
    );
  });
});

describe('silences that hold back nothing (outside tester: check passed them silently)', () => {
  const labels = ['alertname', 'severity', 'instance', 'team'];
  const now = Date.parse('2026-12-01T00:00:00Z');
  it.each<{ silence: Omit<SilenceSettings, 'comment'>; warn: string[] }>([
    { silence: { matchers: { alertname: 'x', team: 'noc' } }, warn: [] },
    {
      silence: { matchers: { alertname: 'x', instnace: '850' } },
      warn: [
        'silences[0].matchers.instnace: no alert carries the label "instnace" (did you mean "instance"?), so this silence holds back nothing; expected a label alerts carry: alertname, severity, instance, team',
      ],
    },
    {
      silence: { matchers: { alertname: 'x', taem: '!ops' } },
      warn: [
        `silences[0].matchers.taem: no alert carries the label "taem" (did you mean "team"?), and this matcher matches every alert (a missing label reads as ''); expected a label alerts carry: alertname, severity, instance, team`,
      ],
    },
    {
      silence: { matchers: { alertname: 'x' }, endsAt: Date.parse('2026-11-24T11:00:00Z') },
      warn: [
        'silences[0].ends: this silence ended at 2026-11-24T11:00:00.000Z, before now (2026-12-01T00:00:00.000Z): it holds back nothing any more; expected an end still to come, or remove the silence',
      ],
    },
    { silence: { matchers: { alertname: 'x' }, endsAt: now + 1 }, warn: [] },
  ])('$silence.matchers, ends $silence.endsAt: $warn.length warning(s)', ({ silence, warn }) => {
    const found = silenceReachWarnings([{ comment: '', ...silence }], labels, now);
    expect(found.map((w) => `${w.path.join('.').replace('.0.', '[0].')}: ${w.message}`)).toEqual(warn);
  });

  it('qoswatch check warns at the label and at the end, taking the labels of the rules it loads, and exits 0', async () => {
    const rules = join(dir, 'team.rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - { name: slow, metric: latency, streams: [audio_input], when: above, threshold: 300ms, labels: { team: noc } }\n' +
        '  - { name: dc, scope: shared_cause, group_by: location, metric: avg_loss, streams: [audio_input], when: above, threshold: 5%, breaching: { count: 2 } }\n',
    );
    const file = config(
      'silence-reach.yaml',
      `rules: { paths: [${rules}] }
route: { receiver: slack }
silences:
  - matchers: { alertname: slow, instnace: '85012345678' }
  - matchers: { team: noc, location: 'San Jose (US)', instance_uuid: abc }
  - matchers: { alertname: slow }
    starts: 2020-01-01T09:00:00Z
    ends: 2020-01-01T11:00:00Z
`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(0);
    // The old code printed no warning: both silences passed as valid and quiet.
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning: '))).toEqual([
      `warning: ${file}:9:34: silences[0].matchers.instnace: no alert carries the label "instnace" (did you mean "instance"?), so this silence holds back nothing; expected a label alerts carry: alertname, severity, scope, kind, instance, instance_uuid, participant, team, location`,
      expect.stringMatching(
        new RegExp(
          `^warning: ${file}:13:5: silences\\[2\\]\\.ends: this silence ended at 2020-01-01T11:00:00\\.000Z, before now \\(20\\d\\d-.*\\): it holds back nothing any more; expected an end still to come, or remove the silence$`,
        ),
      ),
    ]);
  });
});

describe('routes and inhibit rules on a label no alert carries (outside tester: check passed them silently)', () => {
  const labels = ['alertname', 'severity', 'scope', 'instance'];
  const expected = 'expected a label alerts carry: alertname, severity, scope, instance';
  const said = (ws: { path: (string | number)[]; message: string }[]): string[] =>
    ws.map((w) => `${w.path.join('.')}: ${w.message}`);

  it('a route match, at any depth: a plain value takes no alert, a negation every alert', () => {
    const route = {
      routes: [
        { match: { sevrity: 'critical' }, receiver: 'b' },
        { receiver: 'c', routes: [{ match: { severity: 'warning', taem: '!ops' } }] },
      ],
    };
    expect(said(routeReachWarnings(route, labels))).toEqual([
      `route.routes.0.match.sevrity: no alert carries the label "sevrity" (did you mean "severity"?), so this route (and every route under it) takes no alert; ${expected}`,
      `route.routes.1.routes.0.match.taem: no alert carries the label "taem", and this matcher matches every alert (a missing label reads as ''); ${expected}`,
    ]);
    expect(routeReachWarnings({ routes: [{ match: { severity: 'critical' } }] }, labels)).toEqual([]);
  });

  it("a route group_by, at any depth: every alert reads it as '', so it splits no group", () => {
    const route = {
      groupBy: ['alertname', 'instnace'],
      routes: [{ groupBy: ['...'] }, { groupBy: ['scope', 'sevrity'] }],
    };
    const splits = `so every alert reads it as '' and it does not split this route's groups: alerts that differ only in it go out together; ${expected}`;
    expect(said(routeReachWarnings(route, labels))).toEqual([
      `route.group_by.1: no alert carries the label "instnace" (did you mean "instance"?), ${splits}`,
      `route.routes.1.group_by.1: no alert carries the label "sevrity" (did you mean "severity"?), ${splits}`,
    ]);
  });

  it("an inhibit rule's source and target matchers, and its equal labels", () => {
    const rules: InhibitSettings[] = [
      { sourceMatch: { scpoe: 'instance' }, targetMatch: { scope: 'participant' }, equal: ['instance'] },
      {
        sourceMatch: { scope: 'instance' },
        targetMatch: { scope: 'participant', sevirity: 'warning' },
        equal: ['instnace'],
      },
      { sourceMatch: { scope: 'instance' }, targetMatch: { scope: 'participant' }, equal: ['instance'] },
    ];
    expect(said(inhibitReachWarnings(rules, labels))).toEqual([
      `inhibit_rules.0.source_match.scpoe: no alert carries the label "scpoe" (did you mean "scope"?), so no alert is a source and this inhibit rule mutes nothing; ${expected}`,
      `inhibit_rules.1.target_match.sevirity: no alert carries the label "sevirity" (did you mean "severity"?), so no alert is a target and this inhibit rule mutes nothing; ${expected}`,
      `inhibit_rules.1.equal.0: no alert carries the label "instnace" (did you mean "instance"?), so it reads as '' on every source and target and is always equal: it does not narrow which targets a source mutes; ${expected}`,
    ]);
  });

  it('qoswatch check warns at each label, with the labels of the rules it loads, and exits 0', async () => {
    const rules = join(dir, 'route-team.rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - { name: slow, metric: latency, streams: [audio_input], when: above, threshold: 300ms, labels: { team: noc } }\n',
    );
    const file = config(
      'route-reach.yaml',
      `rules: { paths: [${rules}] }
route:
  receiver: slack
  group_by: [alertname, instnace]
  routes:
    - match: { sevrity: critical }
      receiver: mail
    - receiver: pager
      routes:
        - { match: { team: noc, location: '!x' }, receiver: mail }
inhibit_rules:
  - source_match: { scpoe: instance }
    target_match: { scope: participant }
    equal: [instnace]
`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(0);
    const carried =
      'expected a label alerts carry: alertname, severity, scope, kind, instance, instance_uuid, participant, team';
    // The old code printed no warning: "valid", exit 0.
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning: '))).toEqual([
      `warning: ${file}:9:25: route.group_by[1]: no alert carries the label "instnace" (did you mean "instance"?), so every alert reads it as '' and it does not split this route's groups: alerts that differ only in it go out together; ${carried}`,
      `warning: ${file}:11:16: route.routes[0].match.sevrity: no alert carries the label "sevrity" (did you mean "severity"?), so this route (and every route under it) takes no alert; ${carried}`,
      `warning: ${file}:15:33: route.routes[1].routes[0].match.location: no alert carries the label "location", and this matcher matches every alert (a missing label reads as ''); ${carried}`,
      `warning: ${file}:17:21: inhibit_rules[0].source_match.scpoe: no alert carries the label "scpoe" (did you mean "scope"?), so no alert is a source and this inhibit rule mutes nothing; ${carried}`,
      `warning: ${file}:19:13: inhibit_rules[0].equal[0]: no alert carries the label "instnace" (did you mean "instance"?), so it reads as '' on every source and target and is always equal: it does not narrow which targets a source mutes; ${carried}`,
    ]);
  });
});

describe('qoswatch routes', () => {
  const file = config(
    'tree.yaml',
    `route:
  receiver: slack
  routes:
    - match: { severity: critical }
      receiver: pager
      continue: true
    - match: { scope: [instance, shared_cause] }
      receiver: mail
      routes:
        - { match: { data_center: NY }, receiver: pager }
    - receiver: slack
`,
  );

  it.each([
    { labels: 'severity=critical,scope=participant', out: 'pager,slack' },
    { labels: 'severity=critical,scope=shared_cause,data_center=NY', out: 'pager' },
    { labels: 'severity=warning,scope=instance', out: 'mail' },
    { labels: 'severity=warning,scope=participant', out: 'slack' },
    { labels: '', out: 'slack' },
  ])('$labels -> $out', ({ labels, out }) => {
    expect(receiversFor(loadConfig(file).notify, parseLabels([labels])).join(',')).toBe(out);
  });

  it('takes a value with a comma in a --label of its own (outside tester: summary=a,b was a usage error)', async () => {
    const withComma = config(
      'comma.yaml',
      `route:\n  receiver: slack\n  routes: [{ match: { summary: 'a,b' }, receiver: pager }]\n`,
    );
    // Fails on the old code: "Unknown option '--label'", exit 2.
    const r = await runCli([
      'routes',
      '--config',
      withComma,
      '--labels',
      'severity=warning',
      '--label',
      'summary=a,b',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: 'pager\n' });
    const only = await runCli(['routes', '--config', withComma, '--label', 'summary=a,b', '--label', 'x=1']);
    expect(only).toMatchObject({ code: 0, stdout: 'pager\n' });
    const split = await runCli(['routes', '--config', withComma, '--labels', 'summary=a,b']);
    expect(split.code).toBe(2);
    expect(split.stderr).toContain(
      `--labels takes k=v pairs separated by commas (a value with a comma: --label 'k=a,b'); found "b"`,
    );
  });

  it('reads every --labels, and refuses a label given two values (outside tester: the last one alone was read)', async () => {
    const two = config(
      'two-labels.yaml',
      `route:\n  receiver: slack\n  routes:\n    - { match: { severity: critical }, receiver: mail, continue: true }\n    - { receiver: slack }\n`,
    );
    // Fails on the old code: "slack", the first --labels dropped without a word.
    const r = await runCli([
      'routes',
      '--config',
      two,
      '--labels',
      'severity=critical',
      '--labels',
      'alertname=x',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: 'mail,slack\n', stderr: '' });
    const both = await runCli([
      'routes',
      '--config',
      two,
      '-l',
      'severity=critical',
      '-l',
      'severity=warning',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      '--labels: severity given twice, =critical and =warning; expected one value for each label',
    );
    // Fails on the old code: "mail,slack", exit 0, the --label's value taken without a word
    // (outside tester hT37b); the same value twice is no conflict.
    const on = (...args: string[]): ReturnType<typeof runCli> => runCli(['routes', '--config', two, ...args]);
    const across = await on('-l', 'severity=critical', '--label', 'severity=warning');
    expect(across.code).toBe(2);
    expect(across.stderr).toContain(
      '--labels and --label: severity given twice, =critical and =warning; expected one value for each label',
    );
    const labelTwice = await on('--label', 'severity=a', '--label', 'severity=b');
    expect(labelTwice.code).toBe(2);
    expect(labelTwice.stderr).toContain('--label: severity given twice, =a and =b');
    const same = await on('-l', 'severity=critical', '--label', 'severity=critical');
    expect(same).toMatchObject({ code: 0, stdout: 'mail,slack\n', stderr: '' });
  });

  it("runs the help's own example of a value with a comma without a warning (outside tester hT37b: summary is no label)", async () => {
    const example = routesHelp.split('\n').find((l) => l.includes("--label '"))!;
    const args = [...example.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(2);
    expect(args).toEqual([
      '--config',
      'config.yaml',
      '--labels',
      'severity=warning',
      '--label',
      'participant=Doe, Jane',
    ]);
    const withPeople = config('example.yaml', 'route:\n  receiver: slack\n');
    // Fails on the old code: its example's 'summary=a,b' warned "no alert carries the label summary".
    const r = await runCli(['routes', '--config', withPeople, ...args.slice(2)]);
    expect(r).toMatchObject({ code: 0, stdout: 'slack\n', stderr: '' });
  });

  it('warns of a label no alert carries, as check does of a matcher on one', async () => {
    // Fails on the old code: "slack" and nothing on stderr.
    const r = await runCli(['routes', '--config', file, '--labels', 'sevrity=critical']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('slack\n');
    expect(r.stderr).toMatch(
      /^warning: no alert carries the label "sevrity" \(did you mean "severity"\?\), so no alert has these labels; expected a label alerts carry: alertname, severity, /,
    );
    // Rules that cannot be read: the answer still, and a word that the labels are not checked.
    writeFileSync(join(dir, 'bad-rules.yaml'), 'rules:\n  - name: x\n');
    const broken = config('broken-rules.yaml', "rules: { paths: ['./bad-rules.yaml'] }\n");
    const unread = await runCli(['routes', '--config', broken, '--labels', 'sevrity=critical']);
    expect(unread.code).toBe(0);
    expect(unread.stderr).toBe(
      `warning: the rules in ${join(dir, 'bad-rules.yaml')} cannot be read (qoswatch check says why): the labels are not checked against them\n`,
    );
  });

  it('prints them comma separated; the broken example sends critical to mail only', async () => {
    const broken = config('broken2.yaml', BROKEN);
    const r = await runCli(['routes', '--config', broken, '--labels', 'severity=critical']);
    expect(r).toMatchObject({ code: 0, stdout: 'mail\n' });
  });

  it('needs no secret: unset token variables, header values and an unreadable *_file are not read; check still needs them', async () => {
    const secrets = join(dir, 'secrets.yaml');
    writeFileSync(
      secrets,
      `zoom: { account_id: a, client_id: c, client_secret: s }
notifiers:
  - { name: slack, type: slack, token: '\${QW_TEST_SLACK_TOKEN}', channel: '#noc' }
  - { name: hook, type: webhook, url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer \${QW_TEST_HOOK}' } }
  - { name: mail, type: email, host: smtp.example.com, password_file: ./no-such-file, from: q@example.com, to: [noc@example.com] }
route: { receiver: slack, routes: [{ match: { severity: critical }, receiver: mail }] }
`,
    );
    const unset = { QW_TEST_SLACK_TOKEN: '', QW_TEST_HOOK: '' };
    const r = await runCli(['routes', '--config', secrets, '--labels', 'severity=critical'], unset);
    expect(r).toMatchObject({ code: 0, stdout: 'mail\n', stderr: '' });
    const check = await runCli(['check', '--config', secrets], unset);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('QW_TEST_SLACK_TOKEN is set but empty');
    expect(check.stderr).toContain('QW_TEST_HOOK is set but empty');
    const set = await runCli(['check', '--config', secrets], { QW_TEST_SLACK_TOKEN: 'x', QW_TEST_HOOK: 'y' });
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('cannot read ./no-such-file');
    // An unset variable elsewhere than a secret is still a problem for routes.
    const receiver = config('env-receiver.yaml', "route: { receiver: '${QW_TEST_RECEIVER}' }\n");
    const bad = await runCli(['routes', '--config', receiver, '--labels', 'a=b'], { QW_TEST_RECEIVER: '' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('QW_TEST_RECEIVER is set but empty');
  });

  it('bad labels and a missing --labels are usage errors (exit 2)', async () => {
    expect(() => parseLabels(['severity'])).toThrow(/k=v pairs/);
    const r = await runCli(['routes', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--labels k=v,... (or --label k=v) is required');
  });
});
