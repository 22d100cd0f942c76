import type { ZoomClient } from '../zoom/client.js';
import type { LiveInstance, PollSource } from './source.js';

/**
 * Runs a cycle's polls with each account's budget holding the calls they are planned to cost:
 * taken from the shared budget file under one lock, counted in memory during the polls, and
 * what was not made given back at the end (also when the cycle is cut short). Two file round
 * trips a cycle instead of one per call; calls past the plan (more pages than foreseen,
 * retries) are counted one by one, as before.
 */
export async function holdingPlan<T>(
  planned: readonly { source: PollSource; instance: LiveInstance }[],
  polls: () => Promise<T>,
): Promise<T> {
  const calls = new Map<ZoomClient, number>();
  for (const { source, instance } of planned)
    calls.set(source.client, (calls.get(source.client) ?? 0) + source.cost(instance));
  for (const [client, n] of calls) client.budget.hold(n);
  try {
    return await polls();
  } finally {
    for (const client of calls.keys()) client.budget.release();
  }
}
