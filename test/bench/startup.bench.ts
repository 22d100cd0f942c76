import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { scenarioFrom } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { systemClock } from '../../src/util/clock.js';
import { CLI } from '../helpers/cli.js';
import { compare, note } from './ratio.js';

/** Runs node with `args` to its end. */
function exits(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/**
 * CPU time (user + system, ms) process `pid` has used so far, from /proc (Linux; clock ticks of
 * 10 ms); undefined elsewhere. Less noisy than wall time on a shared machine: the wall time of a
 * start-up is mostly the time it waited for a core.
 */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/** CPU until ready per side, the warm-up round first (dropped). */
const cpu: Record<string, number[]> = {};
/** Per side, when the URL was printed (ms after spawn): the rest of the wall time is until it answered. */
const printed: Record<string, number[]> = {};

function noteCpu(figure: string, subject: string, reference: string): void {
  const med = (xs: number[] = []): number | undefined => {
    const s = xs.slice(1).sort((a, b) => a - b);
    return s.length ? s[s.length >> 1] : undefined;
  };
  const [a, b] = [med(cpu[subject]), med(cpu[reference])];
  if (a !== undefined && b)
    note(`${figure}, CPU until ready`, `${(a / b).toFixed(2)}x (${a} ms vs ${b} ms of CPU)`);
  const [pa, pb] = [med(printed[subject]), med(printed[reference])];
  if (pa !== undefined && pb !== undefined)
    note(`${figure}, URL printed after`, `${pa.toFixed(0)} ms vs ${pb.toFixed(0)} ms (wall, from spawn)`);
}

/**
 * Starts node with `args`, reads the URL it prints, polls `path` there every 2 ms until it
 * answers 200, then stops it. Resolves to the time until that answer: the stop is not counted
 * (its sides are `timesItself`; until 2026-12-02 the stop was timed too, ~300 ms of a graceful
 * shutdown on qoswatch's side, none on the bare server's). The process's CPU time until then
 * goes to `cpu[side]`.
 */
async function untilReady(args: string[], pattern: RegExp, path: string, side: string): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SECRET: 'csecret' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise((resolve) => child.on('close', resolve));
  let seen = false;
  try {
    for (let i = 0; i < 20_000; i++) {
      const url = pattern.exec(out)?.[1];
      if (url && !seen) {
        seen = true;
        (printed[side] ??= []).push(performance.now() - start);
      }
      if (
        url &&
        (await fetch(url + path).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        const t = performance.now() - start;
        const used = cpuMs(child.pid);
        if (used !== undefined) (cpu[side] ??= []).push(used);
        return t;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error(`never ready: ${out}`);
  } finally {
    child.kill('SIGTERM');
    await closed;
  }
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
      let file = '';
      await compare(
        'qoswatch run until /readyz / a bare node:http server until it answers',
        {
          setup: () => (file = config()),
          run: () => untilReady([CLI, 'run', '--config', file], /"url":"(http:\/\/[^"]+)"/, '/readyz', 'run'),
          timesItself: true,
        },
        { run: () => untilReady(['-e', BARE_HTTP], /(http:\/\/\S+)/, '/', 'bare'), timesItself: true },
        { rounds: 5, warmup: 1 },
      );
      noteCpu('qoswatch run until /readyz / a bare node:http server', 'run', 'bare');
      // Old and new side by side: STARTUP_BASELINE=/path/to/an/older/dist/src/main.js.
      const baseline = process.env.STARTUP_BASELINE;
      if (baseline)
        await compare(
          `qoswatch run until /readyz / the same of ${baseline}`,
          {
            setup: () => (file = config()),
            run: () =>
              untilReady([CLI, 'run', '--config', file], /"url":"(http:\/\/[^"]+)"/, '/readyz', 'new'),
            timesItself: true,
          },
          {
            setup: () => (file = config()),
            run: () =>
              untilReady([baseline, 'run', '--config', file], /"url":"(http:\/\/[^"]+)"/, '/readyz', 'old'),
            timesItself: true,
          },
          { rounds: 5, warmup: 1 },
        );
      if (baseline) noteCpu(`qoswatch run until /readyz / the same of ${baseline}`, 'new', 'old');
      await sim.close();
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
