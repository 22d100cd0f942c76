// The sampler thread of tree-peak.ts: every 20 ms, the resident sets of the bench runner's whole
// process tree (npm or npx and vitest's main process above it, every process below it), summed;
// it keeps the largest sum and what each process held then, and apart from it the largest sum
// of the runner and the processes it starts (what the bound reads: tree-peak.ts). Asked with
// any message, it answers both peaks and stops. `workerData.proc`: where /proc is (a test's
// made-up one).
import { readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';

const PROC = workerData.proc ?? '/proc';
const read = (path) => {
  try {
    return readFileSync(path.replace(/^\/proc/, PROC), 'utf8');
  } catch {
    return '';
  }
};
const field = (pid, name) => new RegExp(`${name}:\\s+(\\S+)`).exec(read(`/proc/${pid}/status`))?.[1];
const argv = (pid) => read(`/proc/${pid}/cmdline`).split('\0').filter(Boolean);

/** What a process of the tree is: npm (npm or npx), sh (the shell npm runs a script in), vitest, or its name. */
function nameOf(pid) {
  const a = argv(pid);
  if (pid === workerData.runner) return 'this runner';
  if (a[0]?.startsWith('npm ') || a.slice(1, 3).some((x) => /(^|\/)(npm|npx)(-cli\.js)?$/.test(x)))
    return 'npm';
  if (/vitest/.test(a.slice(0, 3).join(' '))) return a[0]?.endsWith('sh') ? 'sh' : 'vitest';
  return a.slice(0, 2).join(' ').slice(-40) || field(pid, 'Name') || String(pid);
}

/** The top of the tree: the runner's parent (vitest) and above it sh and npm/npx, up to the first process that is none of these (a terminal's shell, /usr/bin/time). */
function top() {
  let pid = workerData.vitest;
  for (;;) {
    const up = Number(field(pid, 'PPid') ?? 0);
    if (up <= 1 || !['npm', 'sh', 'vitest'].includes(nameOf(up))) return pid;
    pid = up;
  }
}

/**
 * The processes `pid` started: Node, npm and sh start them from their main thread, whose
 * children file is the only one read (one read per process and tick, not one per thread).
 */
const children = (pid) =>
  read(`/proc/${pid}/task/${pid}/children`)
    .split(' ')
    .filter((c) => c.trim())
    .map(Number);

/** Resident set in KiB: statm's second field, in pages of 4 KiB. */
const rssKiB = (pid) => Number(read(`/proc/${pid}/statm`).split(' ')[1] ?? 0) * 4;

const root = top();
const none = () => ({ kib: 0, parts: [] });
/** The largest sums: `tree`, the whole tree's; `runner`, the runner's and the processes below it. */
const peak = { tree: none(), runner: none() };
/** The runner's own resident set at the first tick (the file's modules loaded, no bench run yet). */
let runnerStart;
function tick() {
  const pids = [];
  const mine = [];
  for (const stack = [[root, false]]; stack.length;) {
    const [pid, below] = stack.pop();
    const under = below || pid === workerData.runner;
    pids.push(pid);
    mine.push(under);
    stack.push(...children(pid).map((c) => [c, under]));
  }
  const kibs = pids.map(rssKiB);
  // Processes are named for a new peak only, not every tick.
  const keep = (which, of) => {
    const kib = of.reduce((a, i) => a + kibs[i], 0);
    if (kib > peak[which].kib) peak[which] = { kib, parts: of.map((i) => [nameOf(pids[i]), kibs[i]]) };
  };
  const all = pids.map((_, i) => i);
  keep('tree', all);
  keep(
    'runner',
    all.filter((i) => mine[i]),
  );
  runnerStart ??= kibs[pids.indexOf(workerData.runner)];
}

tick();
const timer = setInterval(tick, 20);
parentPort.on('message', () => {
  clearInterval(timer);
  tick();
  parentPort.postMessage({ ...peak, runnerStart: runnerStart ?? 0 });
});
