import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';

/**
 * The image's build stage, rebuilt without a Docker engine: a folder holding only what the
 * Dockerfile's build stage COPYs (node_modules linked, as `npm ci` would install it), where
 * `npm run build` must succeed. The build once read rolldown.config.ts, which the stage did not
 * copy: every image build failed while the runtime stage's test (container.test.ts, built from
 * this checkout's dist/) stayed green.
 */
const dockerfile = readFileSync(fromRoot('Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
const build = dockerfile.slice(0, dockerfile.lastIndexOf('\nFROM '));
const copies = [...build.matchAll(/^COPY (.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
const root = mkdtempSync(join(tmpdir(), 'qw-build-stage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the Dockerfile build stage', () => {
  it('copies every file `npm run build` reads: the build succeeds in a folder holding only them', () => {
    expect(copies.length).toBeGreaterThan(0);
    for (const parts of copies) {
      const args = parts.filter((p) => !p.startsWith('--'));
      const dest = args.pop()!;
      for (const src of args) {
        const to = dest.endsWith('/') ? join(root, dest, basename(src)) : join(root, dest);
        mkdirSync(dirname(to), { recursive: true });
        cpSync(fromRoot(src), to, { recursive: true });
      }
    }
    symlinkSync(fromRoot('node_modules'), join(root, 'node_modules'));
    const run = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(join(root, 'dist', 'src', 'main.js'))).toBe(true);
    // A whole build (tsc and rolldown, CPU-bound): 142 s with the machine loaded (load 15-24).
  }, 480_000);
});
