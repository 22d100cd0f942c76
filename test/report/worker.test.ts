import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { firstAttempt, testReportWorker } from '../helpers/report-worker.js';
import { T0 } from '../helpers/sim.js';

const MIN = 60_000;

/**
 * One report that fails (no Zoom client for meetings) on a worker whose random source is
 * `random`: when its retry is due. The clock is held, so the failure happens at T0.
 */
async function retryAfterFailure(random: () => number): Promise<number> {
  const clock = new VirtualClock(T0);
  const release = clock.hold();
  const worker = testReportWorker(clock, { random });
  const instance = { kind: 'meeting' as const, id: '1', uuid: 'worker==', topic: 'Worker' };
  worker.sink.handle({ type: 'ended', instance, at: T0 - MIN });
  const job = await firstAttempt(worker, release);
  expect(job.attempts).toBe(1);
  expect(worker.stats.failed).toBe(1);
  return job.notBefore - T0;
}

describe('the report worker', () => {
  it("retries a failed report after the backoff's first wait (1 min) times the jitter of its injected random source", async () => {
    expect(await retryAfterFailure(() => 0)).toBe(30_000);
    expect(await retryAfterFailure(() => 0.5)).toBe(45_000);
  });
});
