/** Longest token `api_url` taken: a regional host and a short path fit in it many times over. */
const MAX_API_URL_LENGTH = 2048;

/**
 * The token answer's `api_url` when it is a string that parses as an http: or https: URL
 * without user:password; otherwise what is wrong with it, in words that carry none of its
 * text but a scheme or an origin (the value came from outside; it may hold anything).
 * Absent: undefined (zoom.api_url is used, nothing to say).
 */
export function readTokenApiUrl(value: unknown): { url: string } | { wrong: string } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return { wrong: `${describeNonString(value)}, not a URL string` };
  if (value.length > MAX_API_URL_LENGTH)
    return { wrong: `a string of ${value.length} characters (at most ${MAX_API_URL_LENGTH})` };
  if (!URL.canParse(value)) return { wrong: 'a string that does not parse as a URL' };
  const u = new URL(value);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { wrong: `a URL of scheme ${u.protocol.slice(0, 20)}, not http: or https:` };
  if (u.username !== '' || u.password !== '')
    return { wrong: `${u.origin} with a user:password (not shown)` };
  return { url: value };
}

function describeNonString(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  return Array.isArray(value) ? 'a list' : `an ${typeof value}`;
}
