/**
 * Calls discovery of `sources` makes in `msLeft` when cycles come every `cycleMs`: discovery
 * runs at a cycle, when due (due.ts: the interval less a tenth of it, at most 30 s), so it runs
 * every cycle once cycles are longer than that, and no more often than that when they are
 * shorter. Counting it at `discoveryIntervalMs` alone kept calls back for discoveries that never
 * ran: a 20 s interval reserved 4,320 calls a day per source while 10-minute cycles listed 144
 * times.
 */
export function discoveryReserve(
  msLeft: number,
  discoveryIntervalMs: number,
  sources: number,
  cycleMs: number,
): number {
  if (sources <= 0 || msLeft <= 0) return 0;
  const every = Math.max(1, discoveryIntervalMs - Math.min(30_000, discoveryIntervalMs / 10), cycleMs);
  return Math.ceil(msLeft / every) * sources;
}

/**
 * The shortest cycle whose polls of `calls` each and discovery of `sources` the `budget` pays
 * for over `msLeft`: Infinity when it cannot.
 */
export function budgetCycleMs(
  calls: number,
  budget: number,
  msLeft: number,
  discoveryIntervalMs: number,
  sources: number,
): number {
  if (calls === 0) return 0;
  const slack = Math.min(30_000, discoveryIntervalMs / 10);
  const every = Math.max(1, discoveryIntervalMs - slack);
  // Cycles shorter than discovery's period: discovery is a fixed reserve.
  const reserved = budget - discoveryReserve(msLeft, discoveryIntervalMs, sources, 0);
  const short = reserved > 0 ? (calls * msLeft) / reserved : Infinity;
  if (short <= every) return short;
  // Longer cycles: one discovery each, at most ceil(msLeft / t) <= msLeft / t + 1 of them.
  const s = Math.max(0, sources);
  return budget > s ? Math.max(every, ((calls + s) * msLeft) / (budget - s)) : Infinity;
}
