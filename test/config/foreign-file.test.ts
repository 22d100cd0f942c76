import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Outside tester hT40 (stop 40, LOW): `ln -s /etc/shadow c.yaml; qoswatch check --config c.yaml`
 * printed every line of the file, each as `unknown setting "root:*:..."` (twice: as the
 * setting's path and in the message). Now a file with no known top-level key is said to be no
 * qoswatch config, once, quoting none of it; an unknown key is quoted cut to 40 characters; and at
 * most 20 problems are printed, the rest counted.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-foreign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HASH = '$6$rounds=5000$abcdefghijklmnop$0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno';
const KNOWN =
  'zoom, videosdk, sources, poll, metrics, state, log, rules, route, silences, inhibit_rules, delivery, webhooks, reports, notifiers';

describe('a file that is not a qoswatch config', () => {
  it('a config symlinked to a shadow-like file: one line, none of its content', async () => {
    const shadow = join(dir, 'shadow');
    const users = ['root', 'daemon', 'bin', 'sys', 'alice', 'bob'];
    writeFileSync(shadow, users.map((u) => `${u}:${HASH}:19000:0:99999:7:::\n`).join(''));
    const file = join(dir, 'c.yaml');
    symlinkSync(shadow, file);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${file}:1:1: this does not look like a qoswatch config: no known top-level key among its 6; expected a YAML mapping of ${KNOWN.split(
        ', ',
      )
        .map((k) => `${k}:`)
        .join(', ')}\n`,
    );
    expect(r.stderr).not.toContain('rounds=5000');
  });

  it('many unknown keys beside a known one: each quoted cut short, at most 20 lines, the rest counted', async () => {
    const file = join(dir, 'many.yaml');
    const keys = Array.from({ length: 30 }, (_, i) => `${'k'.repeat(60)}${String(i).padStart(2, '0')}`);
    writeFileSync(
      file,
      `zoom: { account_id: a, client_id: c, client_secret: s }\n${keys.map((k) => `${k}: 1\n`).join('')}`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    const cut = `${'k'.repeat(40)}…`;
    expect(lines).toEqual([
      ...keys
        .slice(0, 20)
        .map((_, i) => `${file}:${i + 2}:1: ${cut}: unknown setting "${cut}"; expected one of: ${KNOWN}`),
      '… and 10 more problems',
    ]);
  });
});
