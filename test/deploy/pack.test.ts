import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';

/**
 * The systemd steps of docs/deployment.md, from a fresh clone: a folder holding only the files
 * git tracks (no dist/), node_modules linked as `npm ci` would install it, where the steps'
 * `npm pack` must pack the entry point the unit's ExecStart runs. Before the `prepack` script,
 * it packed 42 files and no dist/: the unit pointed at a file that was not there, while
 * test/packaging.test.ts (run after `npm test`'s build, in this checkout) stayed green.
 */
const steps = /^## systemd\n\n```sh\n([\s\S]*?)```/m.exec(
  readFileSync(fromRoot('docs', 'deployment.md'), 'utf8'),
);
const unit = readFileSync(fromRoot('deploy', 'systemd', 'qoswatch.service'), 'utf8');
const entry = /^ExecStart=\S+ \/opt\/qoswatch\/(\S+)/m.exec(unit)?.[1];
const root = mkdtempSync(join(tmpdir(), 'qw-pack-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshClone(): void {
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: fromRoot(),
    encoding: 'utf8',
  });
  for (const f of tracked.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    cpSync(fromRoot(f), join(root, f), { recursive: true });
  }
  symlinkSync(fromRoot('node_modules'), join(root, 'node_modules'));
}

describe('the systemd install steps (docs/deployment.md)', () => {
  it('install the dependencies the build needs, then pack', () => {
    const lines = steps?.[1]?.split('\n') ?? [];
    const pack = lines.findIndex((l) => /\bnpm pack\b/.test(l));
    expect(pack).toBeGreaterThanOrEqual(0);
    expect(lines.slice(0, pack + 1).some((l) => /\bnpm ci\b/.test(l))).toBe(true);
    expect(entry).toBe('dist/src/main.js');
  });

  it("npm pack in a fresh clone packs the unit's entry point and the data it reads", () => {
    freshClone();
    const run = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    // The build's own lines come first on stdout (npm runs prepack there), then the JSON.
    const json = run.stdout.slice(run.stdout.search(/^\[$/m));
    const files = (JSON.parse(json) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const f of [entry!, 'dist/schema/config.schema.json', 'rules/default.yaml', 'config.example.yaml'])
      expect(files).toContain(f);
    // A whole build (tsc and rolldown, CPU-bound), as in build-stage.test.ts.
  }, 480_000);
});
