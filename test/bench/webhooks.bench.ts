import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { bench, describe } from 'vitest';
import { demoConfig } from '../../src/cli/demo-config.js';
import { Daemon } from '../../src/app/daemon.js';
import { readQss } from '../../src/poll/webhooks/qss.js';
import { signatureMatches, zoomSignature } from '../../src/poll/webhooks/signature.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { fromRoot } from '../../src/util/package-root.js';

/**
 * Push throughput and receive-to-dispatcher time: a daemon with webhooks on (real receiver on
 * 127.0.0.1, real fsynced spool, the default rules), fed by a sender in another thread at
 * 5,000 participants pushing once a minute (83/s), then at ten times that (833/s).
 */
const SECRET = 'bench-secret';
const MEETINGS = 100;
const PER_MEETING = 50;
/** Sender threads at the 10x rate. */
const SENDERS = 3;

/** What `uptime` says (the machine's load), so every figure says what else was running. */
function uptime(): string {
  const r = spawnSync('uptime', { encoding: 'utf8' });
  return r.status === 0
    ? r.stdout.trim()
    : `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

async function run(rate: number, seconds: number, startMinute: number): Promise<void> {
  const config = demoConfig('http://127.0.0.1:9', mkdtempSync(join(tmpdir(), 'qw-bench-push-')), 0);
  config.sources = { meetings: true, webinars: false, sessions: false };
  config.webhooks = {
    host: '127.0.0.1',
    port: 0,
    apps: [{ name: 'bench', path: '/zoom/qss', secretToken: SECRET }],
    maxBodyBytes: 65_536,
    maxAgeMs: 300_000,
    takeoverAfterMs: 180_000,
  };
  const daemon = new Daemon(config, { clock: systemClock, log: silentLogger() });
  const handoff: number[] = [];
  let alerts = 0;
  daemon.onAlerts((c) => (alerts += c.length));
  // The receiver's own observer (the histogram) sees the same times; keep them for percentiles.
  const answered: number[] = [];
  const source = daemon.webhooks!.source as unknown as { deps: { observeLatency?: (ms: number) => void } };
  const observe = source.deps.observeLatency;
  source.deps.observeLatency = (ms) => {
    handoff.push(ms);
    observe?.(ms);
  };
  const receiver = daemon.webhooks!.receiver as unknown as { deps: { observeAnswer?: (ms: number) => void } };
  const observeAnswer = receiver.deps.observeAnswer;
  receiver.deps.observeAnswer = (ms) => {
    answered.push(ms);
    observeAnswer?.(ms);
  };
  await daemon.listen();
  const before = uptime();
  const cpu0 = process.cpuUsage();
  // Several sender threads, each with its own keep-alive pool, share the rate: one thread alone
  // could not reach 833/s on a loaded machine.
  const senders = rate > 200 ? SENDERS : 1;
  const startMin = Math.floor(Date.now() / 60_000) - 30 + startMinute;
  const workers = Array.from(
    { length: senders },
    (_, k) =>
      new Worker(fromRoot('test', 'bench', 'qss-sender.mjs'), {
        workerData: {
          url: `${daemon.webhooks!.url!}/zoom/qss`,
          secret: SECRET,
          rate: rate / senders,
          seconds,
          meetings: MEETINGS,
          perMeeting: PER_MEETING,
          startMinute: startMin,
          offset: k,
          stride: senders,
        },
      }),
  );
  type Sent = { sent: number; answers: number[]; statuses: Record<string, number>; seconds: number };
  const parts = await Promise.all(
    workers.map(
      (w) =>
        new Promise<Sent>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  const r: Sent = {
    sent: parts.reduce((n, p) => n + p.sent, 0),
    answers: parts.flatMap((p) => p.answers),
    statuses: {},
    seconds: Math.max(...parts.map((p) => p.seconds)),
  };
  for (const p of parts)
    for (const [k, v] of Object.entries(p.statuses)) r.statuses[k] = (r.statuses[k] ?? 0) + v;
  for (let i = 0; i < 100 && daemon.webhooks!.spool.backlogBytes > 0; i++)
    await new Promise((res) => setImmediate(res));
  // CPU of this process: receiver, spool, evaluation, and the sender thread too.
  const cpu = process.cpuUsage(cpu0);
  const [load1] = loadavg();
  console.log(
    `${rate}/s for ${seconds} s: ${r.sent} sent in ${r.seconds.toFixed(1)} s (${(r.sent / r.seconds).toFixed(0)}/s), ` +
      `answers ${JSON.stringify(r.statuses)}, server answer time p50 ${pct(answered, 50).toFixed(1)} ms, p99 ${pct(answered, 99).toFixed(1)} ms, ` +
      `max ${Math.max(...answered).toFixed(1)} ms (deadline 3000 ms); sender-side round trip p50 ${pct(r.answers, 50).toFixed(1)} ms, p99 ${pct(r.answers, 99).toFixed(1)} ms, ` +
      `max ${Math.max(...r.answers).toFixed(1)} ms; receive-to-dispatcher p50 ${pct(handoff, 50).toFixed(1)} ms, ` +
      `p99 ${pct(handoff, 99).toFixed(1)} ms, max ${Math.max(...handoff).toFixed(1)} ms over ${handoff.length} events; ` +
      `${daemon.webhooks!.source.stats.samples} samples, ${alerts} alert changes; ` +
      `process CPU ${((cpu.user + cpu.system) / 1000 / r.sent).toFixed(2)} ms per request (senders included, ${senders} sender thread(s)); ` +
      `load average ${load1!.toFixed(1)} on ${cpus().length} cores; uptime before: ${before}; after: ${uptime()}`,
  );
  await daemon.close();
}

await run(5000 / 60, 20, 0);
await run(50_000 / 60, 10, 1);

const body = Buffer.from(
  JSON.stringify({
    event: 'meeting.participant_qos',
    payload: { object: { uuid: 'u==', participant: { user_id: '1', qos: [] } } },
  }),
);
const sig = zoomSignature(SECRET, '1700000000', body);

describe('one webhook request, in process', () => {
  bench('verify the signature', () => {
    signatureMatches(SECRET, '1700000000', body, sig);
  });
  bench('parse and read the event', () => {
    readQss(JSON.parse(body.toString('utf8')));
  });
});
