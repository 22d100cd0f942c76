import { afterEach, describe, expect, it } from 'vitest';
import { meetingWith, s2sClient, startSim, type SimHarness } from '../helpers/sim.js';
import { firstAttempt, testReportWorker } from '../helpers/report-worker.js';

const MIN = 60_000;
let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('an after-call report that meets a paused rate-limit category', () => {
  it('is deferred until the pause ends, not counted failed nor retried after the 1 min backoff', async () => {
    // Every call of the simulator answers 429, Retry-After 300 s: the category pauses 5 minutes.
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: '429', delay: '300s' }] });
    const release = h.clock.hold();
    const t = h.clock.now();
    const worker = testReportWorker(h.clock, { clients: { zoom: s2sClient(h) } });
    const instance = {
      kind: 'meeting' as const,
      id: '85000000001',
      uuid: 'mtg-uuid-1==',
      topic: 'Test meeting',
    };
    worker.sink.handle({ type: 'ended', instance, at: t - 2 * MIN });
    const job = await firstAttempt(worker, release);
    expect(worker.stats).toMatchObject({ failed: 0, deferred: 1, made: 0 });
    expect(job.notBefore).toBe(t + 300_000);
  });
});
