/**
 * A time as Zoom writes it: ISO 8601 in UTC to the second, without milliseconds
 * (`2026-11-20T10:29:00Z`). Milliseconds are dropped, not rounded, whatever they are.
 */
export const zoomTime = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
