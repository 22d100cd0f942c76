import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../../src/poll/cycle-parts.js';
import { startDaemonOverSim } from '../helpers/daemon-over-sim.js';
import { meetingWith } from '../helpers/sim.js';

/**
 * Review (stop 39, MEDIUM): a 429 on one QoS call (`Retry-After: 300`, X-RateLimit-Type QPS)
 * froze the daemon's poll cycle for 30 minutes, discovery included, while /api/v1/status said
 * nothing of it. Now the cycle ends, the next ones list and defer the poll, and the status API and
 * /metrics say Heavy calls are paused, until when.
 */
describe('the daemon under a 429 with Retry-After: 300 on the QoS call', () => {
  it('goes on cycling, defers the poll, and its status and metrics say Heavy is paused', async () => {
    const h = await startDaemonOverSim(
      {
        meetings: [meetingWith(3, { end: '3h' })],
        faults: [{ kind: '429', path: 'participants/qos', delay: '300s' }],
      },
      {
        at: 5 * 60_000,
        route: { receiver: 'hook', group_by: ['...'], group_wait: '0s', repeat_interval: '24h' },
      },
    );
    const daemon = await h.daemon();
    try {
      const url = await daemon.listen();
      const start = h.clock.now();
      const cycles: CycleReport[] = [];
      const stop = new AbortController();
      let read: Promise<{ text: string; status: ReturnType<typeof daemon.status>; now: number }> | undefined;
      await daemon.run(stop.signal, (r) => {
        if (cycles.push(r) < 2) return;
        // Time stands still while /metrics is read, then the daemon stops.
        const release = h.clock.hold();
        read = (async () => {
          const text = await (await fetch(`${url}/metrics`)).text();
          return { text, status: daemon.status(), now: h.clock.now() };
        })().finally(() => {
          release();
          stop.abort();
        });
      });
      const { text, status, now } = await read!;
      // The old daemon's first cycle ended 30 minutes after it started.
      expect(cycles[0]!.finishedAt - start).toBeLessThan(60_000);
      expect(cycles[0]).toMatchObject({ polled: 1, errors: 1 });
      expect(cycles[1]).toMatchObject({ live: 1, polled: 0, deferred: 1, errors: 0 });
      expect(h.sim.requests.get('list 200')).toBe(2);
      expect(h.sim.requests.get('qos 429')).toBe(1);

      const until = Date.parse(status.budget.zoom!.rate_limited_until.Heavy!);
      expect(until - start).toBeGreaterThanOrEqual(300_000);
      expect(until - start).toBeLessThan(310_000);
      expect(status.budget.zoom!.rate_limited_until['Resource-intensive']).toBeUndefined();
      const line = (category: string): number =>
        Number(
          new RegExp(
            `^qoswatch_zoom_rate_limit_paused_seconds\\{account="zoom",category="${category}"\\} (\\S+)$`,
            'm',
          ).exec(text)?.[1],
        );
      expect(line('Heavy')).toBe((until - now) / 1000);
      expect(line('Resource-intensive')).toBe(0);
    } finally {
      await daemon.closeWithoutSaving();
      await h.close();
    }
  });
});
