#!/usr/bin/env node
// `npm run build` (and `npm start`'s prestart, with --if-stale; `npm pack`'s prepack, with --clean).
//
// The tree is built in a folder beside dist/ (dist.build-<pid>/: tsc, the editors' schema, the
// validators, the parsed rules, the rolldown bundle), then swapped in whole by two renames, so
// dist/ is never half-written (a build stopped part-way, `timeout 75 npm start` say, leaves the
// previous dist/ as it was) and never removed while a daemon runs from it, but for an instant
// (below). Such a daemon keeps the modules it loaded; the chunks it loads later are named by
// their content (rolldown.config.ts), and the new dist/ keeps the previous build's chunks it does
// not have itself (one build back: restart a daemon run from a clone after its second rebuild).
//
// The swap is two renames (dist/ to dist.old-<pid>/, then the new tree to dist/), not one atomic
// step (Node has no rename that exchanges two folders): between them there is an instant, as
// long as the process takes from one rename to the next, with no dist/ at all (the two
// renames: 20 us at the median, 1 ms at the 99th percentile, 3 ms at most, of 200 at load 12).
// A process started in it finds nothing to run: `node dist/src/main.js` (what `npm start` runs
// after its check) exits 1 with Node's "Cannot find module .../dist/src/main.js", and the
// `qoswatch` command (bin/qoswatch.js) says "not built yet"; run it again. `npm start`'s check
// (--if-stale) in that instant finds no whole build and builds one more. A daemon already running
// keeps what it loaded, but a chunk it loads for the first time in that instant fails to load
// (the Zoom HTTP client, transport, at its first call to Zoom: that call fails; the metrics
// registry at its first scrape: that scrape fails), and the next call or scrape loads it again
// (the failed import is not kept, and Node caches no failure to find a module). Nothing of this
// happens to a daemon that does not run from the folder being rebuilt (the Docker image, an
// `npm pack` install).
//
// --if-stale: nothing is built when dist/ holds a whole build (.build-stamp.json, written last)
// started after the newest change to what builds it (src/, rules/, the configs, the installed
// packages). --clean: the previous build's chunks are not kept (what `npm pack` ships).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const DIST = join(root, 'dist');
const STAMP = '.build-stamp.json';
const TMP_PREFIX = 'dist.build-';
const OLD_PREFIX = 'dist.old-';
/** What the build reads: a change to any of them (its mtime after the last build began) rebuilds. */
const INPUTS = [
  'src',
  'rules',
  'scripts/build.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'rolldown.config.ts',
  'node_modules/.package-lock.json',
];

/** The newest mtime or ctime (ms) under `path`, a file or a folder; 0 when it does not exist. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  // The change time too: a copy that keeps modification times (rsync -a, tar x, touch -d) sets
  // mtime back, but not ctime (hT44b B1).
  const at = Math.max(st.mtimeMs, st.ctimeMs);
  if (!st.isDirectory()) return at;
  let n = at;
  for (const name of readdirSync(path)) n = Math.max(n, newest(join(path, name)));
  return n;
}

/** The stamp of the build in `dir`, or undefined when it holds no whole build. */
function stampOf(dir) {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
    return existsSync(join(dir, 'src', 'main.js')) && typeof stamp.startedAt === 'number' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Whether dist/ holds a whole build begun after the newest change to what builds it. */
export function fresh() {
  const stamp = stampOf(DIST);
  return stamp !== undefined && INPUTS.every((p) => newest(join(root, p)) <= stamp.startedAt);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Folders of builds stopped part-way (their process gone), and old trees a swap left. */
function removeLeftovers() {
  for (const name of readdirSync(root)) {
    const prefix = [TMP_PREFIX, OLD_PREFIX].find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid))
      rmSync(join(root, name), { recursive: true, force: true });
  }
}

function run(cmd, args, env = {}) {
  const PATH = `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, PATH, ...env } });
}

function chunksOf(dir) {
  try {
    return readdirSync(join(dir, 'src', 'chunks')).filter((f) => f.endsWith('.js'));
  } catch {
    return [];
  }
}

/** The whole build in `out` (a folder beside dist/, under the package root). */
function buildInto(out, keepPrevious) {
  const startedAt = Date.now();
  const rel = out.slice(root.length + 1);
  run('tsc', ['-p', 'tsconfig.build.json', '--outDir', rel]);
  run(process.execPath, [join(out, 'src', 'config', 'write-editor-schema.js')]);
  run(process.execPath, [join(out, 'src', 'cli', 'build-validators.js')]);
  run(process.execPath, [join(out, 'src', 'cli', 'build-parsed-rules.js')]);
  run('rolldown', ['-c', 'rolldown.config.ts', '--logLevel', 'warn'], { QOSWATCH_BUILD_DIR: rel });
  chmodSync(join(out, 'src', 'main.js'), 0o755);
  const chunks = chunksOf(out);
  // The previous build's own chunks (not those it kept), linked in: a daemon running from
  // dist/ may still load them.
  const previous = stampOf(DIST);
  if (keepPrevious && previous && Array.isArray(previous.chunks))
    for (const f of previous.chunks) {
      const from = join(DIST, 'src', 'chunks', f);
      if (!chunks.includes(f) && /^[\w.-]+\.js$/.test(f) && existsSync(from))
        linkSync(from, join(out, 'src', 'chunks', f));
    }
  writeFileSync(join(out, STAMP), JSON.stringify({ startedAt, chunks }) + '\n');
}

/** dist/ replaced by `out` in two renames (the old tree kept aside until then, then removed). */
function swapIn(out) {
  const old = join(root, `${OLD_PREFIX}${process.pid}`);
  for (let attempt = 0; ; attempt++) {
    try {
      if (existsSync(DIST)) renameSync(DIST, old);
      renameSync(out, DIST);
      break;
    } catch (err) {
      // Another build swapped its tree in between: try again over it.
      if (attempt >= 3 || (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST' && err.code !== 'ENOENT'))
        throw err;
    }
  }
  rmSync(old, { recursive: true, force: true });
}

export function build({ ifStale = false, clean = false } = {}) {
  removeLeftovers();
  if (ifStale && fresh()) return false;
  const out = join(root, `${TMP_PREFIX}${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  try {
    buildInto(out, !clean);
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
  swapIn(out);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--if-stale' && a !== '--clean');
  if (unknown.length) {
    process.stderr.write(`scripts/build.mjs: unknown option ${unknown[0]}; expected --if-stale or --clean\n`);
    process.exit(2);
  }
  try {
    const built = build({ ifStale: args.includes('--if-stale'), clean: args.includes('--clean') });
    if (!built)
      process.stderr.write('dist/ is up to date with src/, rules/ and the build configs: not rebuilt\n');
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
