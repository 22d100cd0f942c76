import type { Logger } from 'pino';
import { demoConfig } from '../../src/cli/demo-config.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { Scheduler } from '../../src/poll/scheduler.js';
import type { WebhooksSettings } from '../../src/poll/webhooks/receiver.js';
import { Webhooks } from '../../src/poll/webhooks/service.js';
import type { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { StateFiles } from '../../src/util/state-files.js';

/** The `webhooks:` settings the webhook tests use: one app at /zoom/qss with `secret`, Zoom's 5-minute window. */
export function webhookSettings(secret: string): WebhooksSettings {
  return {
    host: '127.0.0.1',
    port: 0,
    apps: [{ name: 'main', path: '/zoom/qss', secretToken: secret }],
    maxBodyBytes: 64 * 1024,
    maxAgeMs: 5 * 60_000,
    takeoverAfterMs: 3 * 60_000,
  };
}

export interface Started {
  w: Webhooks;
  url: string;
  events: PipelineEvent[];
  files: StateFiles;
  scheduler: Scheduler;
}

/** The push source of a daemon: the real Scheduler as target, every event it hands on recorded. */
export async function startWebhooks(
  dir: string,
  clock: VirtualClock,
  settings: WebhooksSettings,
  opts: {
    log?: Logger;
    spoolSaveDelayMs?: number;
    /** Called as each event is handed on, before the spool marks it done (tests of the done offset). */
    onEvent?: (e: PipelineEvent) => void;
  } = {},
): Promise<Started> {
  const events: PipelineEvent[] = [];
  const log = opts.log ?? silentLogger();
  const config = demoConfig('http://127.0.0.1:2', dir, 0);
  const scheduler = new Scheduler({
    sources: [],
    clock,
    log,
    sink: {
      handle: (e) => {
        events.push(e);
        opts.onEvent?.(e);
      },
    },
    poll: config.poll,
    gapToleranceMs: config.rules.gapToleranceMs,
    takeoverAfterMs: settings.takeoverAfterMs,
  });
  const files = new StateFiles(log, () => clock.now());
  const w = new Webhooks(settings, scheduler.pushes, {
    clock,
    log,
    normalizeStats: new NormalizeStats(),
    stateDir: dir,
    stateFiles: files,
    ...(opts.spoolSaveDelayMs !== undefined ? { spoolSaveDelayMs: opts.spoolSaveDelayMs } : {}),
  });
  const base = await w.listen();
  // Records recovered from the spool are handed on a turn later.
  await new Promise((r) => setImmediate(r));
  return { w, url: `${base}${settings.apps[0]!.path}`, events, files, scheduler };
}
