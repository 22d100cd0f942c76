/** What stands in a message for the `user:password` of a URL. */
export const REDACTED_USERINFO = '[redacted]';

/**
 * `scheme://user:password@` anywhere in a text: the scheme, then everything up to the last
 * `@` before the authority ends (`/`, `?`, `#`, white space or a quote), as URL parsers read it.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s"'`<>]*@/gi;

/**
 * The text with the credentials of every URL in it (`http://user:password@host/`) replaced by
 * `[redacted]`: `http://[redacted]@host/`. Every message that can echo a configured URL or
 * value goes through it: the command line's error output (main.ts) and the daemon's log
 * (util/logger.ts); a config problem's echo of a value goes through redactUrlValue
 * (util/yaml-file.ts).
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(USERINFO, `$1${REDACTED_USERINFO}@`);
}

/**
 * A value known to be whole (a setting's value, not a text around it) with everything between its
 * `://` and its last `@` replaced by `[redacted]`, whatever stands between: a URL that no parser
 * reads (`http://user:pa ss@x/`, a quote or a `/` in the password) shows none of its
 * `user:password` either, where redactUrlCredentials, which must find a URL's end in free text,
 * stops at the space.
 */
export function redactUrlValue(value: string): string {
  const start = value.indexOf('://');
  const at = value.lastIndexOf('@');
  return start >= 0 && at > start + 3
    ? `${value.slice(0, start + 3)}${REDACTED_USERINFO}${value.slice(at)}`
    : value;
}

/**
 * A copy of `value` with every string in it passed through redactUrlCredentials, to at most
 * `depth` levels of plain objects and lists (deeper ones are left as they are: log objects are
 * shallow; errors are redacted by the logger's serializer).
 */
export function redactUrlCredentialsIn<T>(value: T, depth = 4): T {
  if (typeof value === 'string') return redactUrlCredentials(value) as T;
  if (depth <= 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactUrlCredentialsIn(v, depth - 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactUrlCredentialsIn(v, depth - 1);
  return out as T;
}
