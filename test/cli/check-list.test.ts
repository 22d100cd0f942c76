import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';

/** `qoswatch check` says which rule makes qoswatch read the participants list, and its cost. */

const dir = mkdtempSync(join(tmpdir(), 'qw-check-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DOC_RULES = fromRoot('docs', 'examples', 'host-audio.rules.yaml');

function config(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `zoom: { account_id: a, client_id: c, client_secret: s }\nsources: { webinars: false }\n${body}`,
  );
  return file;
}

/** A config polling Video SDK sessions only, with these rules. */
function sessionsOnly(name: string, rulesPath: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `zoom: { account_id: a, client_id: c, client_secret: s }\nvideosdk: { api_key: k, api_secret: s }\nsources: { meetings: false, webinars: false, sessions: true }\nrules: { paths: ['${rulesPath}'] }\n`,
  );
  return file;
}

describe('qoswatch check and the participants list', () => {
  it('the shipped rules: the list is not read for list-only fields', async () => {
    const r = await runCli(['check', '--config', config('plain.yaml', '')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('participants list: not read for list-only fields');
  });

  it('a rule on role or audio_quality: named at file:line:col, with the budget it costs', async () => {
    const r = await runCli([
      'check',
      '--config',
      config('roles.yaml', `rules: { paths: ['${DOC_RULES}'] }\n`),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `${DOC_RULES}:14:16: rule "host-audio-loss" filters on role, which only the participants list gives: qoswatch reads /metrics/meetings/{id}/participants for it`,
    );
    expect(r.stdout).toContain(`${DOC_RULES}:25:16: rule "zoom-rates-audio-poor" filters on audio_quality`);
    expect(r.stdout).toContain(`${DOC_RULES}:16:16: rule "host-audio-loss" shows role`);
    expect(r.stdout).toMatch(
      /participants list budget: 1 Heavy call per 300 participants of each live instance, when a join first appears, every 5m \(audio_quality: poll.verdict_refresh\), every 30m \(role: poll.context_refresh\); about 12 calls an hour per live instance/,
    );
  });

  it('with webinars polled too, names both participants lists (as docs/rules.md shows)', async () => {
    const file = join(dir, 'both.yaml');
    writeFileSync(
      file,
      `zoom: { account_id: a, client_id: c, client_secret: s }\nsources: { webinars: true }\nrules: { paths: ['${DOC_RULES}'] }\n`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `${DOC_RULES}:14:16: rule "host-audio-loss" filters on role, which only the participants list gives: qoswatch reads /metrics/meetings/{id}/participants, /metrics/webinars/{id}/participants for it`,
    );
  });

  it('poll.list_fields (docs/examples/list-fields.yaml) reads the list without a rule', async () => {
    const example = readFileSync(fromRoot('docs', 'examples', 'list-fields.yaml'), 'utf8');
    const r = await runCli(['check', '--config', config('fields.yaml', example)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('poll.list_fields: role, audio_quality read from the participants list');
    expect(r.stdout).toContain('every 10m (audio_quality: poll.verdict_refresh)');
  });

  it('a list-only field in poll.list_fields that is not one, or a typo, is refused at file:line:col', async () => {
    const r = await runCli(['check', '--config', config('bad.yaml', 'poll:\n  list_fields: [rol]\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:4:17: poll\.list_fields\[0\]: found "rol"; expected one of .*"role"/);
  });

  it('a valid rule whose field none of the polled sources gives is a warning', async () => {
    const file = sessionsOnly('sessions.yaml', DOC_RULES);
    const r = await runCli(['check', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: ${DOC_RULES}:25:16: rule "zoom-rates-audio-poor" reads "audio_quality", which Video SDK sessions never give: its filter never matches`,
    );
  });

  it('the warning says what a missing field does to a group_by and to a template, not that they never match', async () => {
    const rules = join(dir, 'roles.rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - name: by-role\n    scope: shared_cause\n    group_by: role\n    metric: latency\n    streams: [audio_input]\n' +
        '    when: above\n    threshold: 300ms\n    breaching: { count: 2 }\n' +
        '    annotations: { summary: "{{participant}} ({{role}}) is slow" }\n',
    );
    const file = sessionsOnly('sessions-roles.yaml', rules);
    const r = await runCli(['check', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /roles\.rules\.yaml:4:15: rule "by-role" reads "role", which Video SDK sessions never give: its group_by has no value to group on/,
    );
    expect(r.stderr).toMatch(
      /roles\.rules\.yaml:\d+:\d+: rule "by-role" reads "role", which Video SDK sessions never give: its template leaves it empty/,
    );
    expect(r.stderr).not.toContain('never matches');
  });

  it.each([
    ['only sessions', '{ meetings: false, webinars: false, sessions: true }'],
    ['every source', '{ meetings: true, webinars: true, sessions: true }'],
  ])('the shipped rules with %s polled start with no warning about themselves', async (_, sources) => {
    const file = join(dir, 'shipped-sessions.yaml');
    writeFileSync(
      file,
      `zoom: { account_id: a, client_id: c, client_secret: s }\nvideosdk: { api_key: k, api_secret: s }\nsources: ${sources}\n`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\d+ rules valid in .*rules/);
    expect(r.stderr).not.toContain('warning');
  });

  it('a template that prints a field only inside its own section handles its absence: no warning', async () => {
    const rules = join(dir, 'guarded.rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - name: guarded\n    metric: latency\n    streams: [audio_input]\n    when: above\n    threshold: 300ms\n' +
        '    annotations:\n      summary: "{{participant}} is slow{{#role}} ({{role}}){{/role}}{{^device}}, no device{{/device}}"\n' +
        '      description: "role {{role}}"\n',
    );
    const r = await runCli(['check', '--config', sessionsOnly('sessions-guarded.yaml', rules)]);
    expect(r.code, r.stderr).toBe(0);
    // The summary guards role; the description prints it bare, and only that one is warned of.
    expect(r.stderr.match(/reads "role"/g)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /guarded\.rules\.yaml:9:\d+: rule "guarded" reads "role", which Video SDK sessions never give: its template leaves it empty/,
    );
  });
});
