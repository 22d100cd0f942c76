import { getEventListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { hookDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';

/**
 * A receiver that takes a notification and never answers: the attempt ends at the send
 * timeout (real time: it bounds a socket), counts as NOTIFY_TIMEOUT and is retried; the
 * daemon's signal keeps no listener or join of the attempt once it is over.
 */
/**
 * Signals joined to `signal` by AbortSignal.any that it still holds: Node 20 keeps each join in
 * a set on the source signal for as long as the source lives (later Node lines do not have it).
 */
function joinsKept(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kDependantSignals');
  return key ? ((signal as unknown as Record<symbol, { size: number }>)[key]?.size ?? 0) : 0;
}

let server: TestServer;
let hang = true;
beforeEach(async () => {
  hang = true;
  server = new TestServer((_r, res) => {
    if (!hang) json(res, 200, {});
  });
  await server.listen();
});
afterEach(async () => server.close());

describe('a notification whose receiver never answers', () => {
  it('times out, is counted and retried, and leaves nothing on the daemon signal', async () => {
    const clock = new VirtualClock(NOW);
    const d = hookDispatcher(server.url, clock, mkdtempSync(join(tmpdir(), 'qw-send-timeout-')), {
      sendTimeoutMs: 150,
    });
    const daemon = new AbortController();
    /** Ticks the dispatcher a second at a time for up to `ms`, until `requests` have reached the receiver. */
    const run = async (ms: number, requests: number): Promise<void> => {
      for (let t = 0; t < ms && server.received.length < requests; t += 1000) {
        clock.advance(1000);
        await d.tick(daemon.signal);
      }
      expect(server.received).toHaveLength(requests);
      expect(d.stats.failed.get('hook')?.get('NOTIFY_TIMEOUT')).toBe(1);
      expect(getEventListeners(daemon.signal, 'abort')).toHaveLength(0);
      expect(joinsKept(daemon.signal)).toBe(0);
    };
    d.ingest(changes(alert({ participant: 'a' })));
    await run(30_000, 1);
    hang = false;
    await run(60_000, 2);
  });
});
