import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { scenarioFrom } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { systemClock } from '../../src/util/clock.js';
import { CLI } from '../helpers/cli.js';
import { compare, note, report } from './ratio.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('startup.bench.ts');

/** Runs node with `args` to its end. */
function exits(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/**
 * CPU time (ms) process `pid` has used so far, from /proc (Linux); undefined elsewhere. Less noisy
 * than wall time on a shared machine: the wall time of a start-up is mostly the time it waited for
 * a core. The run time of each of its threads in nanoseconds (task/N/schedstat), not the 10 ms
 * clock ticks of /proc/PID/stat, which made a step of 3% of a ~350 ms start (those are the
 * fallback). A thread that has ended is not counted: Node's threads live as long as the process.
 */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
  } catch {
    // no schedstat: the clock ticks below
  }
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/** One start of a side: wall time until the first 200, CPU until then, and when the URL was printed. */
interface Start {
  wallMs: number;
  cpuMs: number | undefined;
  printedMs: number;
  /**
   * qoswatch's CPU when the simulator served its first QoS page: the start and the first cycle's
   * work up to its first poll (Node's fetch and ky loaded, a token, the discovery), whichever of
   * that falls before or after the /readyz answer.
   */
  polledCpuMs?: number | undefined;
}

/**
 * Starts node with `args`, reads the URL it prints, polls `path` there every 2 ms until it
 * answers 200, then stops it (with `polls`, once the simulator has served its first QoS page
 * too). Resolves to the time until that answer and the process's CPU time then: the stop is not counted (until 2026-12-02 the stop was timed too, ~300 ms of a
 * graceful shutdown on qoswatch's side, none on the bare server's).
 */
async function untilReady(args: string[], pattern: RegExp, path: string, polls = false): Promise<Start> {
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SECRET: 'csecret' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise((resolve) => child.on('close', resolve));
  const polled = polls
    ? new Promise<number | undefined>((resolve) => {
        sim.onServe = () => {
          sim.onServe = undefined;
          resolve(cpuMs(child.pid));
        };
        setTimeout(() => resolve(undefined), 30_000).unref();
      })
    : undefined;
  let printedMs: number | undefined;
  try {
    for (let i = 0; i < 20_000; i++) {
      const url = pattern.exec(out)?.[1];
      if (url) printedMs ??= performance.now() - start;
      if (
        url &&
        (await fetch(url + path).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        const ready = { wallMs: performance.now() - start, cpuMs: cpuMs(child.pid), printedMs: printedMs! };
        return { ...ready, polledCpuMs: await polled };
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error(`never ready: ${out}`);
  } finally {
    child.kill('SIGTERM');
    await closed;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** The middle half of `xs` (first to third quartile), as text: how far the rounds spread. */
const spread = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): string => s[Math.round(f * (s.length - 1))]!.toFixed(2);
  return `${q(0.25)}-${q(0.75)}x`;
};

/**
 * Prints `subject` against `reference`, round by round: the median of the rounds' ratios
 * (each pair started back to back, so a load that comes and goes falls on both), with the
 * middle half of those ratios, for the wall time and for the CPU time until ready.
 */
function noteStarts(figure: string, subject: Start[], reference: Start[]): void {
  const wall = subject.map((s, i) => s.wallMs / reference[i]!.wallMs);
  report({
    figure,
    subjectMs: median(subject.map((s) => s.wallMs)),
    referenceMs: median(reference.map((s) => s.wallMs)),
    ratio: median(wall),
  });
  const cpu = subject.flatMap((s, i) => {
    const r = reference[i]!.cpuMs;
    return s.cpuMs !== undefined && r ? [{ ratio: s.cpuMs / r, s: s.cpuMs, r }] : [];
  });
  if (cpu.length)
    note(
      `${figure}, CPU until ready`,
      `${median(cpu.map((c) => c.ratio)).toFixed(2)}x, middle half ${spread(cpu.map((c) => c.ratio))} ` +
        `(${median(cpu.map((c) => c.s)).toFixed(0)} ms vs ${median(cpu.map((c) => c.r)).toFixed(0)} ms of CPU, ${cpu.length} rounds)`,
    );
  const polled = subject.flatMap((s) => (s.polledCpuMs === undefined ? [] : [s.polledCpuMs]));
  const refPolled = reference.flatMap((s) => (s.polledCpuMs === undefined ? [] : [s.polledCpuMs]));
  if (polled.length)
    note(
      `${figure}, CPU until the first QoS page was served`,
      `${median(polled).toFixed(0)} ms${refPolled.length ? ` vs ${median(refPolled).toFixed(0)} ms` : ''} (${polled.length} rounds)`,
    );
  note(
    `${figure}, URL printed after`,
    `${median(subject.map((s) => s.printedMs)).toFixed(0)} ms vs ${median(reference.map((s) => s.printedMs)).toFixed(0)} ms (wall, from spawn)`,
  );
}

const BARE_HTTP =
  "const s=require('node:http').createServer((q,r)=>r.end('ok'));s.listen(0,'127.0.0.1',()=>console.log('http://127.0.0.1:'+s.address().port))";

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build first (npm run bench does)`);

// Real time: the command runs as its own process, against a simulator of one small meeting.
const now = Date.now();
const sim = new ZoomSimulator(
  scenarioFrom(
    {
      start: new Date(now - 10 * 60_000).toISOString(),
      // Every start polls: Zoom's limits, counted across them all, would soon answer 429s.
      limits: { heavy_per_second: 10_000, resource_intensive_per_minute: 100_000, daily: 100_000_000 },
      credentials: { account_id: 'acct', client_id: 'cid', client_secret: 'csecret' },
      meetings: [
        {
          id: 84000000001,
          uuid: 'start==',
          topic: 'Start-up',
          participants: [{ user_id: '1', name: 'Ann' }],
        },
      ],
    },
    now,
  ),
  systemClock,
);
await sim.listen(0, '127.0.0.1');
const dir = mkdtempSync(join(tmpdir(), 'qw-startup-'));
let runs = 0;
function config(): string {
  const file = join(dir, `run-${++runs}.yaml`);
  writeFileSync(
    file,
    `zoom:\n  api_url: ${sim.url}\n  oauth_url: ${sim.url}/oauth/token\n  account_id: acct\n  client_id: cid\n  client_secret: \${SECRET}\n` +
      `sources:\n  webinars: false\nmetrics:\n  listen: 127.0.0.1:0\nstate:\n  dir: ${join(dir, `state-${runs}`)}\nlog:\n  format: json\n`,
  );
  return file;
}

/** Every order of `xs`. */
const permutations = <T>(xs: T[]): T[][] =>
  xs.length <= 1
    ? [xs]
    : xs.flatMap((x, i) => permutations(xs.filter((_, j) => j !== i)).map((p) => [x, ...p]));

/** Rounds of start-ups timed per side, after one not counted. */
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 12); // a multiple of 2 and of 6 (the orders)
const READY = /"url":"(http:\/\/[^"]+)"/;

describe('start-up', () => {
  bench(
    'qoswatch --help vs node -e 0; qoswatch run until /readyz vs a bare node:http server',
    async () => {
      await compare(
        'qoswatch --help / node -e 0',
        { run: () => exits([CLI, '--help']) },
        { run: () => exits(['-e', '0']) },
        { rounds: 7, warmup: 1 },
      );
      // Old and new side by side: STARTUP_BASELINE=/path/to/an/older/dist/src/main.js, started in
      // the same rounds as the others.
      const baseline = process.env.STARTUP_BASELINE;
      const sides: { name: string; start: () => Promise<Start> }[] = [
        { name: 'bare', start: () => untilReady(['-e', BARE_HTTP], /(http:\/\/\S+)/, '/') },
        { name: 'run', start: () => untilReady([CLI, 'run', '--config', config()], READY, '/readyz', true) },
        ...(baseline
          ? [
              {
                name: 'old',
                start: () => untilReady([baseline, 'run', '--config', config()], READY, '/readyz', true),
              },
            ]
          : []),
      ];
      const starts = new Map<string, Start[]>(sides.map((s) => [s.name, []]));
      // The rounds go through every order of the sides in turn, so each side starts right after
      // each other one equally often: a start right after a qoswatch start runs on caches warmed
      // by it (two copies of the same build measured 1.07x apart when one always followed the other).
      const orders = permutations(sides);
      for (let round = -1; round < ROUNDS; round++) {
        for (const side of orders[(round + orders.length) % orders.length]!) {
          const s = await side.start();
          if (round >= 0) starts.get(side.name)!.push(s);
        }
      }
      noteStarts(
        'qoswatch run until /readyz / a bare node:http server until it answers',
        starts.get('run')!,
        starts.get('bare')!,
      );
      if (baseline)
        noteStarts(
          `qoswatch run until /readyz / the same of ${baseline}`,
          starts.get('run')!,
          starts.get('old')!,
        );
      await sim.close();
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
