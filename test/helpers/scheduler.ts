import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { demoConfig } from '../../src/cli/demo-config.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import { Scheduler } from '../../src/poll/scheduler.js';
import type { PollSettings } from '../../src/poll/settings.js';
import type { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import type { DateClockMode } from '../../src/zoom/zoom-clock.js';
import { s2sClient } from './sim.js';

/**
 * A real scheduler over the live meetings at `url` (the simulator, or a proxy in front of it),
 * with the demo config's poll settings (`poll` changes some), recording every event it hands on;
 * its client's `zoom.date_clock` is `dateClock` (default local).
 */
export function meetingScheduler(
  url: string,
  clock: VirtualClock,
  o: { log?: Logger; stats?: NormalizeStats; poll?: Partial<PollSettings>; dateClock?: DateClockMode } = {},
): { scheduler: Scheduler; events: PipelineEvent[]; stats: NormalizeStats; source: DashboardSource } {
  const log = o.log ?? silentLogger();
  const stats = o.stats ?? new NormalizeStats();
  const client = s2sClient(
    { url, clock },
    { logger: log, ...(o.dateClock ? { dateClock: o.dateClock } : {}) },
  );
  const source = new DashboardSource('meeting', client, clock, stats, log, 1_800_000);
  const config = demoConfig(url, mkdtempSync(join(tmpdir(), 'qw-scheduler-')), 0);
  const events: PipelineEvent[] = [];
  const scheduler = new Scheduler({
    sources: [source],
    clock,
    log,
    sink: { handle: (e) => events.push(e) },
    poll: { ...config.poll, ...o.poll },
    gapToleranceMs: config.rules.gapToleranceMs,
    normalizeStats: stats,
  });
  return { scheduler, events, stats, source };
}
