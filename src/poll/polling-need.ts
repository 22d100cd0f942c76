import { nextUtcMidnight } from '../zoom/budget-record.js';
import { discoveryReserve } from './discovery-reserve.js';
import type { Plan } from './planner.js';
import type { PollSettings } from './settings.js';

/**
 * Calls live polling needs from `now` to the daily budget's reset at its current pace (the last
 * plan of the Zoom account, `undefined` before its first cycle), with discovery of its `sources`:
 * what work of lower priority (after-call reports) must leave in the budget.
 */
export function pollingNeed(
  now: number,
  plan: Plan | undefined,
  sources: number,
  poll: Pick<PollSettings, 'minIntervalMs' | 'discoveryIntervalMs'>,
): number {
  const msLeft = nextUtcMidnight(now) - now;
  const interval = Math.max(poll.minIntervalMs, plan?.intervalMs ?? 0);
  const discovery = discoveryReserve(msLeft, poll.discoveryIntervalMs, Math.max(1, sources), interval);
  if (!plan || !plan.fullCycleCalls) return discovery;
  return discovery + Math.ceil((plan.fullCycleCalls * msLeft) / interval);
}
