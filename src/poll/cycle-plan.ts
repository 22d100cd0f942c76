import type { ZoomClient } from '../zoom/client.js';
import { nextUtcMidnight } from '../zoom/budget-record.js';
import { plan, type Plan } from './planner.js';
import type { PollSettings } from './settings.js';
import type { LiveInstance, PollSource } from './source.js';

/** An instance the scheduler tracks: its source, and when it was last polled or covered by pushes. */
export interface Tracked {
  source: PollSource;
  instance: LiveInstance;
  lastPolledAt?: number;
  /** When a poll was due but pushes covered the instance. */
  lastCoveredAt?: number;
  /** The participants its last poll listed as present: pushes must cover each for the push path. */
  present?: readonly string[];
  /** Discovery has listed it (one a pushed `*.started` tracks is not, until then). */
  listed?: boolean;
  /** Taken as listed after a restart for its restored alerts, not listed since (Scheduler.adopt). */
  adopted?: boolean;
  /** Polled once more after a poll found it ended, while discovery still lists it (ended-listed.ts). */
  recheck?: boolean;
  /**
   * Since when its polls have, in a row, not listed everyone for sure: entries they could not
   * identify, or a read cut as a page loop (unidentified.ts).
   */
  unsureSince?: number;
}

/** What planning a cycle reads of the scheduler's settings. */
export interface PlanSettings {
  clock: { now(): number };
  /** Every source: each on the client is listed at each discovery, live instances or not. */
  sources: readonly PollSource[];
  poll: PollSettings;
  /** Whether an instance has firing or pending alerts (polled first). */
  isAlerting?: (instanceKey: string) => boolean;
}

/**
 * The plan for one Zoom account's instances now. `counting`: pacing as if covered instances had
 * been polled when pushes covered them; `credit`: the account's last plan's (planner.ts).
 */
export function planFor(
  o: PlanSettings,
  client: ZoomClient,
  entries: readonly [string, Tracked][],
  { counting = false, credit = 0 }: { counting?: boolean; credit?: number } = {},
): Plan {
  const now = o.clock.now();
  const msUntilReset = nextUtcMidnight(now) - now;
  // Every source of the account lists at each discovery, not only those with an instance live
  // (it counted those: meetings and webinars on, only meetings live, kept one call back for two).
  const sourcesOnClient = Math.max(1, o.sources.filter((s) => s.client === client).length);
  // While Zoom's daily limit stops every call, the next cycle comes at its end at the latest:
  // polling resumes then, not up to a max_interval later.
  const blocked = client.budget.blocked - now;
  const { minIntervalMs, maxIntervalMs } = o.poll;
  return plan({
    now,
    candidates: entries.map(([key, t]) => ({
      key,
      cost: t.source.cost(t.instance),
      participants: t.instance.participants,
      ...(t.lastPolledAt !== undefined || (counting && t.lastCoveredAt !== undefined)
        ? { lastPolledAt: Math.max(t.lastPolledAt ?? 0, (counting && t.lastCoveredAt) || 0) }
        : {}),
      alerting: o.isAlerting?.(key) ?? false,
    })),
    budgetRemaining: client.budget.remaining(),
    msUntilReset,
    discoveryIntervalMs: o.poll.discoveryIntervalMs,
    discoverySources: sourcesOnClient,
    heavyPerSecond: client.limiters.Heavy.limit,
    minIntervalMs,
    maxIntervalMs: blocked > 0 ? Math.min(maxIntervalMs, Math.max(minIntervalMs, blocked)) : maxIntervalMs,
    credit,
  });
}

/**
 * The instances pushes cover on this client (in `all`, not in `entries`), and the calls polling
 * them would have cost: what polling alone would have chosen now, less the instances pushes
 * cover. Those it would have chosen are marked covered at `now`. Polling alone knows only what
 * discovery listed: an instance a pushed `*.started` tracks and the list does not show would
 * never have been polled, so it saves no call (it counted as one that had).
 */
export function coveredSaving(
  o: PlanSettings,
  client: ZoomClient,
  all: readonly [string, Tracked][],
  entries: readonly [string, Tracked][],
  now: number,
  credit: number,
): { pushed: number; callsSaved: number } {
  if (entries.length === all.length) return { pushed: 0, callsSaved: 0 };
  const polled = new Set(entries.map(([k]) => k));
  const covered = new Map(all.filter(([k]) => !polled.has(k)));
  let callsSaved = 0;
  const listed = all.filter(([, t]) => t.listed);
  for (const key of planFor(o, client, listed, { counting: true, credit }).selected) {
    const t = covered.get(key);
    if (!t) continue;
    callsSaved += t.source.cost(t.instance);
    t.lastCoveredAt = now;
  }
  return { pushed: covered.size, callsSaved };
}
