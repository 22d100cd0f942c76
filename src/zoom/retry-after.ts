/** `Retry-After` as Zoom sends it: seconds, or a date (ISO 8601 or HTTP date). Epoch ms, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return now + Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}
