import { mkdtempSync } from 'node:fs';
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
