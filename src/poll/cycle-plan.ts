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
}

/** What planning a cycle reads of the scheduler's settings. */
export interface PlanSettings {
  clock: { now(): number };
  poll: PollSettings;
  /** Whether an instance has firing or pending alerts (polled first). */
  isAlerting?: (instanceKey: string) => boolean;
}

/**
 * The plan for one Zoom account's instances now. `counting`: pacing as if covered instances had
 * been polled when pushes covered them.
 */
export function planFor(
  o: PlanSettings,
  client: ZoomClient,
  entries: readonly [string, Tracked][],
  counting = false,
): Plan {
  const now = o.clock.now();
  const msUntilReset = nextUtcMidnight(now) - now;
  const sourcesOnClient = new Set(entries.map(([, t]) => t.source)).size || 1;
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
    minIntervalMs: o.poll.minIntervalMs,
    maxIntervalMs: o.poll.maxIntervalMs,
  });
}

/**
 * The instances pushes cover on this client (in `all`, not in `entries`), and the calls polling
 * them would have cost: what polling alone would have chosen now, less the instances pushes
 * cover. Those it would have chosen are marked covered at `now`.
 */
export function coveredSaving(
  o: PlanSettings,
  client: ZoomClient,
  all: readonly [string, Tracked][],
  entries: readonly [string, Tracked][],
  now: number,
): { pushed: number; callsSaved: number } {
  if (entries.length === all.length) return { pushed: 0, callsSaved: 0 };
  const polled = new Set(entries.map(([k]) => k));
  const covered = new Map(all.filter(([k]) => !polled.has(k)));
  let callsSaved = 0;
  for (const key of planFor(o, client, all, true).selected) {
    const t = covered.get(key);
    if (!t) continue;
    callsSaved += t.source.cost(t.instance);
    t.lastCoveredAt = now;
  }
  return { pushed: covered.size, callsSaved };
}
