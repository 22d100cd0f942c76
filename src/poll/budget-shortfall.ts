import type { Logger } from 'pino';
import { formatDuration } from '../util/duration.js';
import { plural } from '../util/words.js';
import type { ZoomClient } from '../zoom/client.js';
import { discoveryReserve } from './discovery-reserve.js';
import type { Plan } from './planner.js';
import type { PollSettings } from './settings.js';

const DAY = 86_400_000;
/** `poll.max_interval`'s upper bound (config/). */
const MAX_INTERVAL_LIMIT = DAY;

/** A Zoom account's daily share against what discovery and one poll of each live instance a cycle need. */
export interface DailyNeed {
  /** Calls a day qoswatch's share allows. */
  available: number;
  /** Calls a day discovery needs with cycles of `poll.max_interval`. */
  discovery: number;
  /** Calls a day one poll of every live instance each `poll.max_interval` needs. */
  polls: number;
  needed: number;
}

/** The calls a day the account must pay for so that no instance waits longer than `poll.max_interval`. */
export function dailyNeed(
  client: ZoomClient,
  plan: Plan,
  sources: number,
  poll: Pick<PollSettings, 'maxIntervalMs' | 'discoveryIntervalMs'>,
): DailyNeed {
  const discovery = discoveryReserve(DAY, poll.discoveryIntervalMs, sources, poll.maxIntervalMs);
  const polls = Math.ceil(DAY / poll.maxIntervalMs) * plan.fullCycleCalls;
  return { available: client.budget.allowance, discovery, polls, needed: discovery + polls };
}

/** What to change so that the share covers `n`: a larger share, or a longer max interval. */
function remedy(section: string, client: ZoomClient, n: DailyNeed, sources: number, calls: number): string {
  const { pool, share } = client.budget;
  const out: string[] = [];
  const shareNeeded = Math.ceil((n.needed / pool) * 100) / 100;
  if (shareNeeded <= 1) out.push(`raise ${section}.daily_share from ${share} to ${shareNeeded}`);
  // One discovery and one poll of each a cycle: cycles of at least DAY * (sources + calls) / available.
  const longer =
    n.available > 0 ? Math.ceil((DAY * (sources + calls)) / n.available / 60_000) * 60_000 : Infinity;
  if (longer <= MAX_INTERVAL_LIMIT) out.push(`raise poll.max_interval to ${formatDuration(longer)}`);
  out.push(`or watch fewer sources or accounts (a larger plan's ${section}.limits.daily_pool)`);
  return out.join(', ');
}

/**
 * Warns when a Zoom account's budget share cannot pay for discovery plus one poll of every live
 * instance each `poll.max_interval`: some instances then wait several cycles, or are never polled.
 * Logged once, again when the figures change by a tenth or more, and once when the share covers
 * the need again.
 */
export class BudgetShortfall {
  private readonly logged = new Map<ZoomClient, DailyNeed>();

  constructor(private readonly log: Logger) {}

  check(
    client: ZoomClient,
    plan: Plan,
    sources: number,
    live: number,
    poll: Pick<PollSettings, 'maxIntervalMs' | 'discoveryIntervalMs'>,
    section: string,
  ): void {
    const n = dailyNeed(client, plan, sources, poll);
    const last = this.logged.get(client);
    if (n.needed <= n.available) {
      if (!last) return;
      this.logged.delete(client);
      this.log.info(
        { ...n, account: section },
        `${section}.daily_share now covers discovery and every live instance: ${n.needed} of ${n.available} calls a day`,
      );
      return;
    }
    if (last && last.available === n.available && Math.abs(n.needed - last.needed) < last.needed / 10) return;
    this.logged.set(client, n);
    this.log.warn(
      { ...n, account: section, live, deferred: plan.deferred.length },
      `${section}.daily_share (${client.budget.share} of a ${client.budget.pool}-call pool) gives ${n.available} calls a day; ` +
        `discovery (${n.discovery}) plus one poll of each of ${plural(live, 'live instance')} every poll.max_interval ` +
        `${formatDuration(poll.maxIntervalMs)} (${n.polls}) needs ${n.needed}: some instances wait longer than that or are never polled. ` +
        `To cover them: ${remedy(section, client, n, sources, plan.fullCycleCalls)}`,
    );
  }
}
