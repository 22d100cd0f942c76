import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * A rule file read twice through a symbolic link is refused once, at the `rules.paths` (or a
 * test's `rule_files`) entry that reads it again, as the same path written twice is (c5a09a4):
 * not as each of its rules "already defined" in its own file.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-rule-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZOOM = 'zoom: { account_id: a, client_id: c, client_secret: s }\n';
const ONCE = 'expected each rule file once (its rules would be defined twice)';
const RULES =
  'rules:\n  - { name: slow, metric: cpu_zoom_avg, when: above, threshold: 90% }\n' +
  '  - { name: slower, metric: cpu_zoom_avg, when: above, threshold: 95% }\n';

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('a rule file reached twice through a link', () => {
  const a = write('a.yaml', RULES);
  symlinkSync(a, join(dir, 'link.yaml'));
  const folder = join(dir, 'folder');
  mkdirSync(folder);
  writeFileSync(join(folder, 'b.yaml'), RULES.replace(/slow/g, 'late'));
  symlinkSync(join(folder, 'b.yaml'), join(folder, 'c.yaml'));

  it('an entry that is a link to an earlier one: once, at the entry', async () => {
    const config = write('entry.yaml', `${ZOOM}rules: { paths: [a.yaml, link.yaml] }\n`);
    const r = await runCli(['check', '--config', config]);
    // The old code: `${dir}/link.yaml:2:13: rules[0].name: rule "slow" is already defined in
    // ${a}; ...`, and again for "slower": at the rules, nowhere near the entry.
    expect(r.stderr).toBe(
      `${config}:2:26: rules.paths[1]: link.yaml (the same file as ${a}) is read by rules.paths[0] (a.yaml) too; ${ONCE}\n`,
    );
    expect(r.code).toBe(2);
  });

  it('a folder holding a file and a link to it: once, at the folder', async () => {
    const config = write('folder.yaml', `${ZOOM}rules: { paths: [folder] }\n`);
    const r = await runCli(['check', '--config', config]);
    expect(r.stderr).toBe(
      `${config}:2:18: rules.paths[0]: folder holds ${join(folder, 'c.yaml')} (the same file as ${join(folder, 'b.yaml')}), which is read by rules.paths[0] (folder) too; ${ONCE}\n`,
    );
    expect(r.code).toBe(2);
  });

  it("a test's rule_files: the same", async () => {
    const test = write(
      'links.test.yaml',
      'rule_files: [a.yaml, link.yaml]\ntests:\n  - name: t\n    input:\n' +
        '      - participant: bob\n        series: { cpu_zoom_avg: 10% x3 }\n    expect:\n      - { at: 2m, alerts: [] }\n',
    );
    const r = await runCli(['test-rules', test]);
    expect(r.stderr).toBe(
      `${test}:1:22: rule_files[1]: link.yaml (the same file as ${a}) is read by rule_files[0] (a.yaml) too; ${ONCE}\n`,
    );
    expect(r.code).toBe(1);
  });
});
