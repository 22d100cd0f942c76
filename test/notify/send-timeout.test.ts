import { getEventListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { hookDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';
import { ManualTimers } from '../helpers/manual-timers.js';

/**
 * A receiver that takes a notification and never answers: the attempt ends at the send
 * timeout, counts as NOTIFY_TIMEOUT and is retried; the daemon's signal keeps no listener or
 * join of the attempt once it is over. The timeout's timer is the test's (ManualTimers): it
 * fires once the receiver holds the request, so a slow machine neither times out the answered
 * retry nor lets the hanging attempt through.
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
    const timers = new ManualTimers();
    const d = hookDispatcher(server.url, clock, mkdtempSync(join(tmpdir(), 'qw-send-timeout-')), {
      sendTimeoutMs: 150,
      timers,
    });
    const daemon = new AbortController();
    const clean = (): void => {
      expect(getEventListeners(daemon.signal, 'abort')).toHaveLength(0);
      expect(joinsKept(daemon.signal)).toBe(0);
      expect(timers.armed).toBe(0);
    };
    d.ingest(changes(alert({ participant: 'a' })));
    clock.advance(30_000); // group_wait
    const first = d.tick(daemon.signal);
    await vi.waitFor(() => expect(server.received).toHaveLength(1), { timeout: 20_000, interval: 10 });
    expect(timers.armed).toBe(1);
    expect(timers.fireAll()).toBe(1); // time is up for the hanging attempt
    await first;
    expect(d.stats.failed.get('hook')?.get('NOTIFY_TIMEOUT')).toBe(1);
    expect(d.outboxDepth).toBe(1);
    clean();

    hang = false;
    clock.advance(1000); // the backoff
    await d.tick(daemon.signal); // answered, however long the machine takes: no timer fires
    expect(server.received).toHaveLength(2);
    expect(d.stats.failed.get('hook')?.get('NOTIFY_TIMEOUT')).toBe(1);
    expect(d.outboxDepth).toBe(0);
    clean();
  });
});
