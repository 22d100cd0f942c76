import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportWorker } from '../../src/report/worker.js';
import type { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { StateFiles } from '../../src/util/state-files.js';

const MIN = 60_000;

/**
 * A report worker as the tests build them, on `clock`, in a new temporary state folder: reports
 * made 1 min after the end, sent nowhere, given up after a day, a retry's jitter 0.5; no Zoom client unless `over` says.
 */
export function testReportWorker(
  clock: VirtualClock,
  over: Partial<ConstructorParameters<typeof ReportWorker>[0]> = {},
): ReportWorker {
  const log = over.log ?? silentLogger();
  return new ReportWorker({
    settings: {
      send: 'none',
      receivers: [],
      keepMs: 24 * 60 * MIN,
      delayMs: MIN,
      source: 'auto',
      giveUpAfterMs: 24 * 60 * MIN,
    },
    stateDir: mkdtempSync(join(tmpdir(), 'qw-report-worker-')),
    files: new StateFiles(log, () => clock.now()),
    clock,
    log,
    clients: {},
    polling: { inCycle: false, pollingNeed: () => 0 },
    rules: { ruleList: [], active: () => [] },
    gapToleranceMs: 5 * MIN,
    pollIntervals: { minIntervalMs: MIN },
    queue: () => undefined,
    random: () => 0.5,
    ...over,
  });
}

/**
 * Runs `worker` until its first report job has been tried once (the clock held by `release`'s
 * hold), then stops it: the job as pending.json keeps it.
 */
export async function firstAttempt(
  worker: ReportWorker,
  release: () => void,
): Promise<{ attempts: number; notBefore: number }> {
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  worker.idle();
  const pending = join(worker.store.dir, 'pending.json');
  const job = (): { attempts: number; notBefore: number } =>
    (JSON.parse(readFileSync(pending, 'utf8')) as { jobs: { attempts: number; notBefore: number }[] })
      .jobs[0]!;
  for (let i = 0; i < 2000 && job().attempts === 0; i++) await new Promise((r) => setImmediate(r));
  stop.abort();
  release();
  await running;
  return job();
}
