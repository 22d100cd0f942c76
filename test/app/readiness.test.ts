import { mkdtempSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { T0 } from '../helpers/sim.js';

/**
 * A Zoom that holds every request until told how to answer: the first poll cycle stays in
 * flight for as long as the test needs, on a fast machine as on a slow one.
 */
async function heldZoom(): Promise<{
  url: string;
  received: Promise<void>;
  refuse: () => void;
  close: () => Promise<void>;
}> {
  const held: ServerResponse[] = [];
  let answer: ((res: ServerResponse) => void) | undefined;
  let first!: () => void;
  const received = new Promise<void>((r) => (first = r));
  const server = createServer((req, res) => {
    req.resume();
    first();
    if (answer) answer(res);
    else held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const unauthorized = (res: ServerResponse): void => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ reason: 'Invalid client_id or client_secret', error: 'invalid_client' }));
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    refuse: () => {
      answer = unauthorized;
      for (const res of held.splice(0)) unauthorized(res);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const status = async (url: string): Promise<number> => (await fetch(`${url}/readyz`)).status;

describe('/readyz', () => {
  it('is 503 until the daemon runs, 200 while its first poll cycle waits on Zoom, 503 once a cycle ended without an answer', async () => {
    const zoom = await heldZoom();
    closers.push(zoom.close);
    const config = demoConfig(zoom.url, mkdtempSync(join(tmpdir(), 'qw-ready-')), 0);
    const daemon = new Daemon(config, { clock: new VirtualClock(T0), log: silentLogger() });
    const url = await daemon.listen();
    closers.push(() => daemon.closeWithoutSaving());
    // Listening, rules and state loaded, but neither notifiers nor the loop started.
    expect(await status(url)).toBe(503);
    await daemon.startNotifications();
    expect(await status(url)).toBe(503);

    const stop = new AbortController();
    let cycleEnded!: () => void;
    const ended = new Promise<void>((r) => (cycleEnded = r));
    const running = daemon.run(stop.signal, () => cycleEnded());
    closers.push(async () => {
      stop.abort();
      zoom.refuse();
      await running;
    });
    // The first cycle is in flight, its requests held by "Zoom": start-up does not wait on it.
    await zoom.received;
    expect(await status(url)).toBe(200);
    expect(daemon.status()).toMatchObject({ ready: true, last_cycle: null });

    // Zoom refuses the credentials: the cycle ends without an answer, and the daemon is not ready.
    zoom.refuse();
    await Promise.race([ended, running]);
    expect(await status(url)).toBe(503);
    expect(daemon.status()).toMatchObject({ ready: false });
  });

  it('is 503 once the daemon is stopping, while it finishes what is in flight', async () => {
    const zoom = await heldZoom();
    closers.push(zoom.close);
    const config = demoConfig(zoom.url, mkdtempSync(join(tmpdir(), 'qw-ready-')), 0);
    const daemon = new Daemon(config, { clock: new VirtualClock(T0), log: silentLogger() });
    const url = await daemon.listen();
    await daemon.startNotifications();
    const stop = new AbortController();
    const running = daemon.run(stop.signal, () => undefined);
    closers.push(async () => {
      zoom.refuse();
      await running;
    });
    await zoom.received;
    expect(await status(url)).toBe(200);
    // SIGTERM: the first cycle's requests are still held by "Zoom", so the daemon lingers,
    // listening, until they finish or the shutdown timeout aborts them.
    stop.abort();
    expect(await status(url)).toBe(503);
    expect(daemon.status()).toMatchObject({ ready: false });
  });
});
