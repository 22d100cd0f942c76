import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot, packageVersion } from '../../src/util/package-root.js';
import { withoutNpmSettings } from '../helpers/cli.js';

/**
 * The `qoswatch` command is bin/qoswatch.js, committed: npx caches a folder's install the first
 * time it runs it, and with the bin pointing into dist/ one `npx qoswatch` before the build was
 * kept without the command ("sh: 1: qoswatch: not found" after the build too, found by a tester
 * in stop 41).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

describe('the qoswatch command', () => {
  it('runs the build', () => {
    const out = execFileSync(process.execPath, [fromRoot(pkg.bin.qoswatch!), '--version'], {
      encoding: 'utf8',
    });
    expect(out.trim()).toContain(packageVersion());
  });

  it('through npx, a run before the build says how to build, and the next run after it runs it', () => {
    // A package of the real bin field and launcher, with a stand-in for the build; no
    // dependencies, so npx installs nothing from the registry.
    const clone = join(dir, 'clone');
    mkdirSync(join(clone, 'bin'), { recursive: true });
    writeFileSync(
      join(clone, 'package.json'),
      JSON.stringify({ name: 'qoswatch', version: '0.0.0', type: 'module', bin: pkg.bin }),
    );
    copyFileSync(fromRoot('bin', 'qoswatch.js'), join(clone, 'bin', 'qoswatch.js'));
    const npx = (): { code: number | null; out: string } => {
      const r = spawnSync('npx', ['--yes', 'qoswatch', '--version'], {
        cwd: clone,
        encoding: 'utf8',
        env: {
          ...withoutNpmSettings(),
          npm_config_cache: join(dir, 'npm-cache'),
          npm_config_update_notifier: 'false',
        },
        timeout: 120_000,
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const before = npx();
    // The old bin (dist/src/main.js): "sh: 1: qoswatch: not found", before and after the build.
    expect(before.out).toContain('qoswatch: not built yet (dist/src/main.js is missing)');
    expect(before.code).toBe(1);
    mkdirSync(join(clone, 'dist', 'src'), { recursive: true });
    writeFileSync(join(clone, 'dist', 'src', 'main.js'), "process.stdout.write('the build ran\\n');\n");
    expect(npx()).toEqual({ code: 0, out: 'the build ran\n' });
  });
});
