import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { VirtualClock } from '../../src/util/clock.js';
import { runCli } from '../helpers/cli.js';
import { captureLog } from '../helpers/log.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-no-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULE =
  'rules:\n  - { name: slow, metric: latency, streams: [audio_input], when: above, threshold: 300ms }\n';

/** A config whose rules.paths is `rules` (a folder or a file in `dir`). */
function config(name: string, rules: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `zoom: { account_id: a, client_id: c, client_secret: s }\nrules: { paths: [${rules}] }\nstate: { dir: ${join(dir, `state-${name}`)} }\n`,
  );
  return file;
}

/** The warning, at the config's rules.paths (line 2, `rules: { paths: [...] }`, its key at col 10). */
const noRules = (cfg: string, path: string): string =>
  `${cfg}:2:10: rules.paths: no rules in ${path}: nothing will alert; expected rule files with at least one rule there, or leave rules.paths out for the shipped rules`;

describe('no rule at all (outside tester: accepted without a word)', () => {
  it('check warns of an empty rules folder and of rules: [] (exit 0: it is valid)', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const none = join(dir, 'none.yaml');
    writeFileSync(none, 'rules: []\n');
    for (const path of [empty, none]) {
      // Fails on the code before 9819e75: "0 rules valid" and nothing on stderr; on the code
      // before this test's change (outside tester hT37b): the warning had no file:line:col.
      const cfg = config(`check-${path === none}`, path);
      const r = await runCli(['check', '--config', cfg]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('0 rules valid');
      expect(r.stderr).toContain(`warning: ${noRules(cfg, path)}\n`);
    }
    const one = join(dir, 'one.yaml');
    writeFileSync(one, RULE);
    const r = await runCli(['check', '--config', config('check-one', one)]);
    expect(r.stderr).not.toContain('no rules in');
  });

  it('the daemon warns at start-up and at a reload to none, which it takes (a user may mean it)', async () => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, RULE);
    const { log, lines } = captureLog();
    const cfg = config('daemon', file);
    const daemon = new Daemon(loadConfig(cfg, {}), { clock: new VirtualClock(0), log });
    const warned = (): string[] => lines.filter((l) => l.level === 40).map((l) => l.msg);
    try {
      expect(warned()).not.toContain(noRules(cfg, file));
      writeFileSync(file, 'rules: []\n');
      // Fails on the old code: "rules reloaded: 0 rules" at info only.
      expect(daemon.reloadRules()).toBe(true);
      expect(lines.map((l) => l.msg)).toContain('rules reloaded: 0 rules');
      expect(warned()).toContain(noRules(cfg, file));
    } finally {
      await daemon.closeWithoutSaving();
    }
    lines.length = 0;
    const cfgNone = config('daemon-none', file);
    const again = new Daemon(loadConfig(cfgNone, {}), {
      clock: new VirtualClock(0),
      log,
    });
    try {
      expect(warned()).toContain(noRules(cfgNone, file));
    } finally {
      await again.closeWithoutSaving();
    }
  });
});
