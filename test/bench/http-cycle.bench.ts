import { fork, type ChildProcess } from 'node:child_process';
import { bench, describe } from 'vitest';
import { ScaledClock, systemClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS, encodePathId, liveRange } from '../../src/zoom/endpoints.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { compare, note } from './ratio.js';
import { bigScenarioRaw, MINUTE, START } from './zoom-pages.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('http-cycle.bench.ts');

// What the real daemon's warm cycle costs in its HTTP layer (issue 16 item 1): the outside
// tester's load, 300 live meetings of 14 (two QoS pages each, 601 calls), fetched through the
// real ZoomClient (ky on Node's fetch, token, rate limiters, budget, classification) from the
// simulator over HTTP on 127.0.0.1, 8 meetings at a time as poll.concurrency's default; against
// JSON.parse of the same bytes. The simulator runs in a child process (zoom-sim.mjs): the CPU
// printed is this process's alone (every thread), the client's, not the server's.
//
// The client holds to Business's limits (36 Heavy calls a second, after the margin), as the
// daemon does: under them nearly every call waits for a permit, and that wait has cost CPU
// (window-limiter.ts). Its clock runs 4 times faster than real time, so that a cycle takes ~4 s
// of wall instead of ~17; the limiter does the same work per call at either speed.
const MEETINGS = 300;
const PER_MEETING = 14;
const CONCURRENCY = 8;
const at = START + 30 * MINUTE;
const CREDS = { accountId: 'bench', clientId: 'bench-client', clientSecret: 'bench-secret' };

type Raw = Record<string, unknown>;

async function startSimulator(): Promise<{ child: ChildProcess; url: string }> {
  // The simulator's clock stands still: its own rate limits are lifted (the client's hold).
  const raw = {
    ...bigScenarioRaw(MEETINGS, PER_MEETING),
    limits: { heavy_per_second: 1e6, resource_intensive_per_minute: 1e6, daily: 1e9 },
  };
  const child = fork(fromRoot('test', 'bench', 'zoom-sim.mjs'), [], {
    env: { ...process.env, QW_SIM: JSON.stringify({ raw, start: START, at }) },
    execArgv: [],
  });
  const { url } = await answer<{ url: string }>(child);
  return { child, url };
}

function answer<T>(child: ChildProcess): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('error', reject);
  });
}

async function counts(child: ChildProcess): Promise<{ connections: number; requests: number }> {
  const got = answer<{ connections: number; requests: number }>(child);
  child.send('counts');
  return got;
}

function zoomClient(url: string): ZoomClient {
  const clock = new ScaledClock(Date.now(), 4);
  return new ZoomClient({
    apiUrl: url,
    auth: new S2SOAuth({ oauthUrl: `${url}/oauth/token`, ...CREDS }, clock),
    limits: { ...PLAN_DEFAULTS.business, dailyPool: 1e9 },
    dailyShare: 1,
    clock,
  });
}

/** One warm cycle as the daemon's meeting source reads it: the live list, then every meeting's QoS pages. */
async function cycle(client: ZoomClient, signal: AbortSignal): Promise<number> {
  const uuids: string[] = [];
  const list = client.pages<Raw>(ENDPOINTS.meetings, {}, { type: 'live', ...liveRange(at) }, { signal });
  for await (const page of list) for (const m of page) uuids.push(String(m.uuid));
  let next = 0;
  let entries = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < uuids.length; i = next++) {
      const qos = client.pages<Raw>(
        ENDPOINTS.meetingQos,
        { id: uuids[i]! },
        { type: 'live' },
        { signal, expectedItems: PER_MEETING },
      );
      for await (const page of qos) entries += page.length;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return entries;
}

/** The bytes a cycle receives, fetched once outside any timed region (plain fetch, same URLs). */
async function captureBodies(url: string): Promise<Buffer[]> {
  const { header } = await new S2SOAuth(
    { oauthUrl: `${url}/oauth/token`, ...CREDS },
    systemClock,
  ).authorize();
  const bodies: Buffer[] = [];
  const pages = async (
    path: string,
    query: Record<string, string>,
    each: (b: Raw) => void,
  ): Promise<void> => {
    let token = '';
    do {
      const qs = new URLSearchParams({ ...query, ...(token ? { next_page_token: token } : {}) });
      const res = await fetch(`${url}/v2${path}?${qs.toString()}`, { headers: { authorization: header } });
      const bytes = Buffer.from(await res.arrayBuffer());
      bodies.push(bytes);
      const body = JSON.parse(bytes.toString()) as Raw;
      each(body);
      token = typeof body.next_page_token === 'string' ? body.next_page_token : '';
    } while (token);
  };
  const uuids: string[] = [];
  await pages('/metrics/meetings', { type: 'live', ...liveRange(at), page_size: '300' }, (b) => {
    for (const m of b.meetings as Raw[]) uuids.push(String(m.uuid));
  });
  for (const uuid of uuids)
    await pages(
      `/metrics/meetings/${encodePathId(uuid)}/participants/qos`,
      { type: 'live', page_size: '10' },
      () => {},
    );
  return bodies;
}

describe('a warm poll cycle over HTTP at 300 meetings / 4,200 participants', () => {
  bench(
    'ZoomClient (ky, undici) from the simulator on 127.0.0.1 vs JSON.parse of the same bytes',
    async () => {
      const { child, url } = await startSimulator();
      try {
        const bytes = await captureBodies(url);
        const mb = bytes.reduce((n, b) => n + b.length, 0) / 1e6;
        note('HTTP cycle input', `${bytes.length} calls, ${mb.toFixed(1)} MB of JSON`);
        const client = zoomClient(url);
        const stop = new AbortController();
        await cycle(client, stop.signal); // warm: token, connections, compiled code
        const before = await counts(child);
        let bodies: string[] = [];
        let rounds = 0;
        const ratio = await compare(
          'warm cycle through ZoomClient over HTTP (ky, undici; simulator in a child process) / JSON.parse',
          {
            // Both sides start from what the network hands over: the subject its bodies as
            // bytes on the socket, the reference its own fresh copy of the same bytes as strings.
            setup: () => (bodies = []),
            run: async () => {
              rounds++;
              return cycle(client, stop.signal);
            },
          },
          {
            setup: () => (bodies = bytes.map((b) => b.toString())),
            run: () => {
              let n = 0;
              for (const b of bodies) n += Object.keys(JSON.parse(b) as Raw).length;
              return n;
            },
          },
          { rounds: 5, warmup: 1, collect: true },
        );
        const after = await counts(child);
        const calls = (after.requests - before.requests) / rounds;
        if (calls !== bytes.length)
          throw new Error(`a cycle made ${calls} calls, the capture ${bytes.length}`);
        const cpu = ratio.cpu!;
        note(
          'HTTP cycle: CPU per request (this process, all threads)',
          `${((cpu.subjectMs / calls) * 1000).toFixed(0)} µs, of which JSON.parse's share ${((cpu.referenceMs / calls) * 1000).toFixed(0)} µs`,
        );
        note(
          'HTTP cycle: connections opened per warm cycle',
          `${((after.connections - before.connections) / rounds).toFixed(1)} for ${calls} calls (${CONCURRENCY} at a time)`,
        );
      } finally {
        child.disconnect();
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
