import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  watch,
} from 'node:fs';
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

/**
 * Outside tester hT44 (F2, LOW): `npm start` ran the whole build first, whose first step removed
 * dist/: 78 s before the demo said anything, `timeout 75 npm start` left dist/ half-written, and a
 * daemon run from the clone (`node dist/src/main.js run`) lost the chunks it loads lazily. Now
 * `npm start` builds only when dist/ is older than what builds it, and a build writes a folder
 * beside dist/ and swaps it in whole (scripts/build.mjs). In the tree the test above built; tsc
 * writes its first file after ~50 s of a build here, when the build is stopped.
 */
describe('npm start over a built tree (scripts/build.mjs)', () => {
  const dist = (...p: string[]): string => join(root, 'dist', ...p);
  const snapshot = (): string =>
    readFileSync(dist('.build-stamp.json'), 'utf8') + readdirSync(dist('src', 'chunks')).join(',');
  const version = (): string =>
    spawnSync(process.execPath, [dist('src', 'main.js'), '--version'], { encoding: 'utf8' }).stdout.trim();
  const leftovers = (): string[] => readdirSync(root).filter((f) => f.startsWith('dist.build-'));

  /** `scripts/build.mjs --if-stale` started, and killed (its whole group) once it writes its tree. */
  async function interruptedBuild(): Promise<string> {
    const before = new Set(leftovers());
    const child = spawn(process.execPath, ['scripts/build.mjs', '--if-stale'], {
      cwd: root,
      detached: true,
      stdio: 'ignore',
    });
    const tree = `dist.build-${child.pid}`;
    await new Promise<void>((resolve, reject) => {
      const w = watch(root, { recursive: false });
      const check = (): void => {
        if (existsSync(join(root, tree, 'src'))) {
          w.close();
          resolve();
        }
      };
      w.on('change', check);
      child.on('exit', (code) => {
        w.close();
        reject(new Error(`the build ended (${code}) before it was stopped`));
      });
      check();
    });
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.on('exit', r));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    expect(before.has(tree)).toBe(false);
    return tree;
  }

  it('a start with dist/ newer than its sources builds nothing', () => {
    expect(existsSync(dist('.build-stamp.json'))).toBe(true);
    const was = snapshot();
    const run = spawnSync('npm', ['run', 'prestart'], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('dist/ is up to date');
    expect(snapshot()).toBe(was);
    expect(leftovers()).toEqual([]);
  });

  it('a build stopped part-way leaves the previous dist/ whole and usable; the next removes what it left', async () => {
    const was = snapshot();
    expect(version()).toMatch(/^\d+\.\d+\.\d+/);
    const v = version();
    // A source changed since the build: --if-stale builds, and is killed while it does.
    const now = Date.now() / 1000 + 1;
    utimesSync(join(root, 'src', 'main.ts'), now, now);
    const first = await interruptedBuild();
    expect(leftovers()).toContain(first);
    // Old code: dist/ removed first, then half-written.
    expect(snapshot()).toBe(was);
    expect(version()).toBe(v);
    // With dist/ as if built after the change (its stamp's start moved past it: a file's ctime,
    // which --if-stale counts too, cannot be set back), a start builds nothing, and removes what
    // the stopped build left.
    const stamp = JSON.parse(readFileSync(dist('.build-stamp.json'), 'utf8')) as { startedAt: number };
    writeFileSync(
      dist('.build-stamp.json'),
      JSON.stringify({ ...stamp, startedAt: Date.now() + 60_000 }) + '\n',
    );
    const built = snapshot();
    const start = spawnSync('npm', ['run', 'prestart'], { cwd: root, encoding: 'utf8' });
    expect(start.stderr).toContain('dist/ is up to date');
    expect(leftovers()).toEqual([]);
    expect(snapshot()).toBe(built);
    expect(version()).toBe(v);
  }, 300_000);
});
