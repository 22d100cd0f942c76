import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { scenarioFrom } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { systemClock } from '../../src/util/clock.js';
import { CLI } from '../helpers/cli.js';
import { compare } from './ratio.js';

/** Runs node with `args` to its end. */
function exits(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/**
 * Starts node with `args`, reads the URL it prints, polls `path` there every 2 ms until it
 * answers 200, then stops it (the time to stop is not counted).
 */
async function untilReady(args: string[], pattern: RegExp, path: string): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SECRET: 'csecret' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise((resolve) => child.on('close', resolve));
  try {
    for (let i = 0; i < 20_000; i++) {
      const url = pattern.exec(out)?.[1];
      if (
        url &&
        (await fetch(url + path).then(
          (r) => r.ok,
          () => false,
        ))
      )
        return performance.now() - start;
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
          run: () => untilReady([CLI, 'run', '--config', file], /"url":"(http:\/\/[^"]+)"/, '/readyz'),
        },
        { run: () => untilReady(['-e', BARE_HTTP], /(http:\/\/\S+)/, '/') },
        { rounds: 5, warmup: 1 },
      );
      // Old and new side by side: STARTUP_BASELINE=/path/to/an/older/dist/src/main.js.
      const baseline = process.env.STARTUP_BASELINE;
      if (baseline)
        await compare(
          `qoswatch run until /readyz / the same of ${baseline}`,
          {
            setup: () => (file = config()),
            run: () => untilReady([CLI, 'run', '--config', file], /"url":"(http:\/\/[^"]+)"/, '/readyz'),
          },
          {
            setup: () => (file = config()),
            run: () => untilReady([baseline, 'run', '--config', file], /"url":"(http:\/\/[^"]+)"/, '/readyz'),
          },
          { rounds: 5, warmup: 1 },
        );
      await sim.close();
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
