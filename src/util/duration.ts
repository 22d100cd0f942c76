/** Durations written by people: "90s", "5m", "1h30m", "250ms", "2d". */

/**
 * Milliseconds for a duration string, or undefined when it is not one. It names nothing outside
 * itself: the build writes its text into the generated validators (util/validators.ts).
 */
export function parseDuration(text: string): number | undefined {
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const s = text.trim();
  if (s === '0') return 0;
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * unitMs[m[2]!]!;
  return total;
}

/** Like parseDuration, for values already validated by a schema. */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new RangeError(`not a duration: ${JSON.stringify(value)} (expected e.g. 90s, 5m, 1h)`);
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', r || (!h && !m) ? `${r}s` : ''].join('');
}
