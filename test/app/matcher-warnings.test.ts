import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { VirtualClock } from '../../src/util/clock.js';
import { captureLog } from '../helpers/log.js';

const RULE = (labels: string): string =>
  `rules:\n  - { name: slow, metric: latency, streams: [audio_input], when: above, threshold: 300ms${labels} }\n`;

/**
 * A daemon on a config (its head, then `tail`) whose one rule file gives the rule `slow` with a
 * team label; `dropTeam` rewrites the rule file without it.
 */
function daemonOn(
  tail: string,
  now: number,
): { daemon: Daemon; file: string; dropTeam: () => void; warned: () => string[]; clear: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'qw-matcher-warn-'));
  const rules = join(dir, 'slow.yaml');
  writeFileSync(rules, RULE(', labels: { team: noc }'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    `zoom: { account_id: a, client_id: c, client_secret: s }
rules: { paths: [${rules}] }
state: { dir: ${join(dir, 'state')} }
notifiers:
  - { name: log, type: console }
${tail}`,
  );
  const { log, lines } = captureLog();
  const daemon = new Daemon(loadConfig(file, {}), { clock: new VirtualClock(now), log });
  return {
    daemon,
    file,
    dropTeam: () => writeFileSync(rules, RULE('')),
    warned: () => lines.filter((l) => l.level === 40).map((l) => l.msg),
    clear: () => (lines.length = 0),
  };
}

describe('the daemon on silences, routes and inhibit rules that reach nothing (outside tester: nothing was said)', () => {
  it('warns at start-up, and again at a rule reload, with the labels of the rules it runs', async () => {
    const { daemon, file, dropTeam, warned, clear } = daemonOn(
      `silences:
  - matchers: { alertname: slow, team: noc }
  - matchers: { alertname: slow, taem: noc }
  - matchers: { alertname: slow }
    ends: 2026-03-01T00:00:00Z
`,
      Date.parse('2026-03-02T12:00:00Z'),
    );
    try {
      const labels = 'alertname, severity, scope, kind, instance, instance_uuid, participant';
      // The old code logged none of these.
      expect(warned()).toEqual([
        `${file}:8:34: silences[1].matchers.taem: no alert carries the label "taem" (did you mean "team"?), so this silence holds back nothing; expected a label alerts carry: ${labels}, team`,
        `${file}:10:5: silences[2].ends: this silence ended at 2026-03-01T00:00:00.000Z, before now (2026-03-02T12:00:00.000Z): it holds back nothing any more; expected an end still to come, or remove the silence`,
      ]);
      // The rule loses its team label: the first silence now names a label no alert carries.
      dropTeam();
      clear();
      expect(daemon.reloadRules()).toBe(true);
      expect(warned()).toEqual([
        `${file}:7:34: silences[0].matchers.team: no alert carries the label "team", so this silence holds back nothing; expected a label alerts carry: ${labels}`,
        `${file}:8:34: silences[1].matchers.taem: no alert carries the label "taem", so this silence holds back nothing; expected a label alerts carry: ${labels}`,
        expect.stringContaining(`${file}:10:5: silences[2].ends: this silence ended`),
      ]);
    } finally {
      await daemon.closeWithoutSaving();
    }
  });

  it('warns about route and inhibit labels no alert carries too, at start-up and at a rule reload', async () => {
    const { daemon, file, dropTeam, warned, clear } = daemonOn(
      `route:
  receiver: log
  routes: [{ match: { team: noc }, receiver: log }, { match: { sevrity: critical }, receiver: log }]
inhibit_rules:
  - { source_match: { scpoe: instance }, target_match: { team: noc } }
`,
      0,
    );
    // Up to the expected labels, which the other case shows.
    const said = (): string[] => warned().map((m) => m.split('; expected')[0]!);
    try {
      // The old code logged none of these.
      expect(said()).toEqual([
        `${file}:8:64: route.routes[1].match.sevrity: no alert carries the label "sevrity" (did you mean "severity"?), so this route (and every route under it) takes no alert`,
        `${file}:10:23: inhibit_rules[0].source_match.scpoe: no alert carries the label "scpoe" (did you mean "scope"?), so no alert is a source and this inhibit rule mutes nothing`,
      ]);
      // The rule loses its team label: the first route and the inhibit rule's target name a label no alert carries.
      dropTeam();
      clear();
      expect(daemon.reloadRules()).toBe(true);
      expect(said()).toEqual([
        `${file}:8:23: route.routes[0].match.team: no alert carries the label "team", so this route (and every route under it) takes no alert`,
        expect.stringContaining('route.routes[1].match.sevrity'),
        expect.stringContaining('inhibit_rules[0].source_match.scpoe'),
        `${file}:10:58: inhibit_rules[0].target_match.team: no alert carries the label "team", so no alert is a target and this inhibit rule mutes nothing`,
      ]);
    } finally {
      await daemon.closeWithoutSaving();
    }
  });

  it('warns about a silence on an alertname no loaded rule has, at the value, at start-up and at a rule reload (outside tester, stop 38)', async () => {
    const { daemon, file, warned, clear } = daemonOn(
      `silences:
  - matchers: { alertname: slwo }
  - matchers: { alertname: [slow, fast] }
  - matchers: { alertname: 'wifi-*' }
  - matchers: { alertname: '!nope', team: noc }
`,
      0,
    );
    try {
      // The old code logged none of these (a misspelt label name was warned about, a rule name not).
      expect(warned()).toEqual([
        `${file}:7:28: silences[0].matchers.alertname: no loaded rule is named "slwo" (did you mean "slow"?), so this silence holds back nothing; expected the name of a loaded rule: slow`,
        `${file}:8:35: silences[1].matchers.alertname[1]: no loaded rule is named "fast", so this value matches no alert; expected the name of a loaded rule: slow`,
        `${file}:9:28: silences[2].matchers.alertname: no loaded rule's name matches "wifi-*", so this silence holds back nothing; expected the name of a loaded rule: slow`,
      ]);
      // The rule is renamed fast: now slow is the name no rule has.
      writeFileSync(join(dirname(file), 'slow.yaml'), RULE('').replace('name: slow', 'name: fast'));
      clear();
      expect(daemon.reloadRules()).toBe(true);
      expect(warned()).toEqual([
        expect.stringContaining('silences[3].matchers.team: no alert carries the label "team"'),
        `${file}:7:28: silences[0].matchers.alertname: no loaded rule is named "slwo", so this silence holds back nothing; expected the name of a loaded rule: fast`,
        `${file}:8:29: silences[1].matchers.alertname[0]: no loaded rule is named "slow", so this value matches no alert; expected the name of a loaded rule: fast`,
        expect.stringContaining('silences[2].matchers.alertname: no loaded rule'),
      ]);
    } finally {
      await daemon.closeWithoutSaving();
    }
  });

  it('warns about a route or inhibit rule on an alertname no loaded rule has, as for silences (review, stop 38)', async () => {
    const { daemon, file, warned, clear } = daemonOn(
      `route:
  receiver: log
  routes: [{ match: { alertname: slwo }, receiver: log }, { match: { alertname: [slow, fast] }, receiver: log }]
inhibit_rules:
  - { source_match: { alertname: 'wifi-*' }, target_match: { alertname: slow } }
  - { source_match: { alertname: slow }, target_match: { alertname: '!nope' } }
`,
      0,
    );
    try {
      // The old code logged none of these (a silence's were, since ad74892).
      expect(warned()).toEqual([
        `${file}:8:34: route.routes[0].match.alertname: no loaded rule is named "slwo" (did you mean "slow"?), so this route (and every route under it) takes no alert; expected the name of a loaded rule: slow`,
        `${file}:8:88: route.routes[1].match.alertname[1]: no loaded rule is named "fast", so this value matches no alert; expected the name of a loaded rule: slow`,
        `${file}:10:34: inhibit_rules[0].source_match.alertname: no loaded rule's name matches "wifi-*", so no alert is a source and this inhibit rule mutes nothing; expected the name of a loaded rule: slow`,
      ]);
      // The rule is renamed fast: now slow is the name no rule has.
      writeFileSync(join(dirname(file), 'slow.yaml'), RULE('').replace('name: slow', 'name: fast'));
      clear();
      expect(daemon.reloadRules()).toBe(true);
      expect(warned().filter((m) => m.includes('alertname'))).toEqual([
        expect.stringContaining('route.routes[0].match.alertname: no loaded rule is named "slwo"'),
        `${file}:8:82: route.routes[1].match.alertname[0]: no loaded rule is named "slow", so this value matches no alert; expected the name of a loaded rule: fast`,
        expect.stringContaining('inhibit_rules[0].source_match.alertname: no loaded rule'),
        `${file}:10:73: inhibit_rules[0].target_match.alertname: no loaded rule is named "slow", so no alert is a target and this inhibit rule mutes nothing; expected the name of a loaded rule: fast`,
        `${file}:11:34: inhibit_rules[1].source_match.alertname: no loaded rule is named "slow", so no alert is a source and this inhibit rule mutes nothing; expected the name of a loaded rule: fast`,
      ]);
    } finally {
      await daemon.closeWithoutSaving();
    }
  });

  it('never shows a secret that a YAML alias puts in a matcher or group_by (outside tester hT37b, a4.yaml)', async () => {
    // Old code: 'route.group_by[0]: no alert carries the label "xoxb-1111-2222-SECRETSLACKTOKEN"',
    // and the same for the short password in the route's matcher; until stop 38 the matcher's
    // path still showed it: `route.routes[0].match.pw1: …`.
    const { daemon, file, warned } = daemonOn(
      `  - name: s
    type: slack
    token: &t xoxb-1111-2222-SECRETSLACKTOKEN
    channel: *t
  - { name: m, type: email, host: 127.0.0.1, port: 2525, security: none, user: u, password: &p pw1, from: q@example.com, to: [a@example.com] }
route: { receiver: log, group_by: [*t], routes: [{ match: { *p : x }, receiver: log }] }
`,
      0,
    );
    try {
      const said = warned().map((m) => m.split('; expected')[0]!);
      expect(said).toEqual([
        expect.stringContaining(
          `${file}:11:36: route.group_by[0]: no alert carries the label (not shown: a secret's value), so`,
        ),
        expect.stringContaining(
          `route.routes[0].match.(not shown: a secret's value): no alert carries the label (not shown: a secret's value), so this route`,
        ),
      ]);
      expect(warned().join('\n')).not.toMatch(/SECRETSLACKTOKEN|pw1/);
    } finally {
      await daemon.closeWithoutSaving();
    }
  });
});
