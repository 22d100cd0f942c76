import type { Config } from '../config/types.js';
import type { SourceKind } from '../normalize/sample.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { S2SOAuth, VideoSdkJwt } from '../zoom/auth.js';
import { FileBudgetStore } from '../zoom/budget-file.js';
import { ZoomClient } from '../zoom/client.js';
import type { RateLimits } from '../zoom/limits.js';

/**
 * A report's share of the per-second and per-minute limits: a quarter, so that a report run
 * beside the daemon leaves it most of the account's rate. The daily budget is the daemon's
 * own (the same state file), not a share of it.
 */
const reportLimits = (l: RateLimits): RateLimits => ({
  heavyPerSecond: Math.max(1, Math.floor(l.heavyPerSecond / 4)),
  resourcePerMinute: Math.max(1, Math.floor(l.resourcePerMinute / 4)),
  dailyPool: l.dailyPool,
});

/** The client a report of this kind uses, counting into the daemon's daily budget file in state.dir. */
export function reportClient(
  config: Config,
  kind: SourceKind,
  clock: Clock,
  log: Logger,
): { client: ZoomClient; close: () => void } {
  if (kind === 'session') {
    const v = config.videosdk;
    if (!v) throw new Error('a session report needs the videosdk section of the configuration');
    const store = new FileBudgetStore(config.stateDir, 'videosdk', clock, 0);
    const client = new ZoomClient({
      apiUrl: v.apiUrl,
      auth: new VideoSdkJwt(v.apiKey, v.apiSecret, clock),
      limits: reportLimits(v.limits),
      dailyShare: v.dailyShare,
      clock,
      budgetStore: store,
      logger: log,
      timeoutMs: v.timeoutMs,
    });
    return { client, close: () => store.flush() };
  }
  const z = config.zoom;
  if (!z) throw new Error(`a ${kind} report needs the zoom section of the configuration`);
  const store = new FileBudgetStore(config.stateDir, 'zoom', clock, 0);
  const client = new ZoomClient({
    apiUrl: z.apiUrl,
    auth: new S2SOAuth(
      { oauthUrl: z.oauthUrl, accountId: z.accountId, clientId: z.clientId, clientSecret: z.clientSecret },
      clock,
      z.timeoutMs,
    ),
    limits: reportLimits(z.limits),
    dailyShare: z.dailyShare,
    clock,
    budgetStore: store,
    logger: log,
    timeoutMs: z.timeoutMs,
  });
  return { client, close: () => store.flush() };
}
