import { buildVideoSdkClient, buildZoomClient, type ClientOverrides } from '../app/accounts.js';
import type { Config } from '../config/types.js';
import type { SourceKind } from '../normalize/sample.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { StateFiles } from '../util/state-files.js';
import type { ZoomClient } from '../zoom/client.js';

/**
 * A report's share of the per-second and per-minute limits: a quarter, so that a report run
 * beside the daemon leaves it most of the account's rate. The daily budget is the daemon's
 * own (the same state file, counted into call by call by every process), not a share of it.
 */
const REPORT: ClientOverrides = {
  limits: (l) => ({
    // The rest as configured: heavy_safety_margin too (it was dropped here, so a report ran
    // at the default margin whatever the configuration said).
    ...l,
    heavyPerSecond: Math.max(1, Math.floor(l.heavyPerSecond / 4)),
    resourcePerMinute: Math.max(1, Math.floor(l.resourcePerMinute / 4)),
  }),
  // A report judges no sample by Zoom's clock (only live polling does, poll/future.ts): bounding
  // the answers' `Date` would only warn, against a simulator's clock run ahead or behind.
  dateClock: 'zoom',
};

/** At the end of a report or inspection: what is left of its reservation given back, the count written. */
function closeBudget(client: ZoomClient, store: { flush: () => void }): void {
  client.budget.unreserve();
  store.flush();
}

/** The client a report of this kind uses, counting into the daemon's daily budget file in state.dir. */
export function reportClient(
  config: Config,
  kind: SourceKind,
  clock: Clock,
  log: Logger,
): { client: ZoomClient; close: () => void } {
  // The command's own logger: a state file set aside (a damaged budget file) is said on stderr,
  // in the log format, as the daemon says it.
  const ctx = { clock, log, stateDir: config.stateDir, stateFiles: new StateFiles(log) };
  if (kind === 'session') {
    if (!config.videosdk) throw new Error('a session report needs the videosdk section of the configuration');
    const { client, store } = buildVideoSdkClient(config.videosdk, ctx, REPORT);
    return { client, close: () => closeBudget(client, store) };
  }
  if (!config.zoom) throw new Error(`a ${kind} report needs the zoom section of the configuration`);
  const { client, store } = buildZoomClient(config.zoom, ctx, REPORT);
  return { client, close: () => closeBudget(client, store) };
}
