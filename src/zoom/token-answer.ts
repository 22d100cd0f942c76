import { httpUrlProblem, lowerScheme } from '../util/http-url.js';
import { uncarriedInHeader } from '../util/header-credential.js';
import type { JsonBounds } from '../util/json-count.js';

/**
 * The most bytes of the token endpoint's answer read (transport.ts): Zoom's is a few hundred
 * (`access_token`, a JWT of about a kilobyte, `token_type`, `expires_in`, `scope`, `api_url`),
 * at most about 20 KB with every value as long as qoswatch takes it and an app's every scope.
 * It was read to 32 MiB, as any call's answer.
 */
export const TOKEN_ANSWER_BYTES = 64 * 1024;

/**
 * What the token endpoint's answer may hold before it is parsed (util/json-count.ts): one object
 * of a few keys, an error's (`reason`, `error`) or a token's (five), far within these.
 */
export const TOKEN_ANSWER_BOUNDS: JsonBounds = {
  depth: 4,
  values: 256,
  containers: 16,
  elements: 64,
  members: 64,
  names: 64,
  nameLength: 64,
  // Its strings are bounded by its bytes: a token of about a kilobyte, an app's every scope.
  stringBytes: TOKEN_ANSWER_BYTES,
};

/** Longest token `api_url` taken: a regional host and a short path fit in it many times over. */
const MAX_API_URL_LENGTH = 2048;

/**
 * The token answer's `api_url` when it is a string that parses as an http: or https: URL
 * without user:password, and that zoom.api_url's own check (httpUrlProblem) passes: calls
 * take it as they take zoom.api_url, text and all, so a port out of 1-65535 (`new URL` takes
 * port 0) or a trailing space is refused as there, and so is a query or a fragment, which no
 * base URL can have. Otherwise what is wrong with it, in words that carry none of its text but
 * a scheme or an origin (the value came from outside; it may hold anything). Its scheme is
 * taken in lower case (`HTTPS://` is `https://`; it was refused as not an https:// URL). Absent: undefined
 * (zoom.api_url is used, nothing to say). Whether it may be taken over zoom.api_url (not plain
 * http when that is https) is the client's to say: ZoomClient.apiBaseOf.
 */
export function readTokenApiUrl(value: unknown): { url: string } | { wrong: string } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return { wrong: `${describeNonString(value)}, not a URL string` };
  if (value.length > MAX_API_URL_LENGTH)
    return { wrong: `a string of ${value.length} characters (at most ${MAX_API_URL_LENGTH})` };
  if (!URL.canParse(value)) return { wrong: 'a string that does not parse as a URL' };
  // A scheme is case-insensitive (RFC 3986 3.1): HTTPS://… is https://…, written as calls expect.
  const text = lowerScheme(value);
  const u = new URL(text);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { wrong: `a URL of scheme ${u.protocol.slice(0, 20)}, not http: or https:` };
  if (u.username !== '' || u.password !== '')
    return { wrong: `${u.origin} with a user:password (not shown)` };
  const problem = httpUrlProblem(text);
  if (problem !== undefined) return { wrong: `${u.origin}, ${problem}` };
  // Calls append /v2/… to the text: after a `?` or `#` that is query or fragment, and every
  // call went to the host's `/` (404s). `new URL` leaves search and hash empty for a bare `?`/`#`.
  if (/[?#]/.test(text)) return { wrong: `${u.origin} with a query or a fragment (not shown)` };
  return { url: text };
}

function describeNonString(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  return Array.isArray(value) ? 'a list' : `an ${typeof value}`;
}

/** Zoom's documented lifetime of a Server-to-Server OAuth token: what a bad expires_in is taken as. */
export const ZOOM_TOKEN_SECONDS = 3600;

/** Longest expires_in taken: a day (Zoom's tokens live an hour). */
const MAX_EXPIRES_IN = 86_400;

/**
 * The token answer's `expires_in` when it is a number of seconds from 1 to a day; otherwise
 * what is wrong with it, in words that carry none of the answer's text but a number (the token
 * is then taken to live ZOOM_TOKEN_SECONDS). A string, a negative, zero or absent value once
 * made the renewal time NaN or past, and every call asked for a new token.
 */
export function readExpiresIn(value: unknown): { seconds: number } | { wrong: string } {
  if (typeof value === 'number' && value >= 1 && value <= MAX_EXPIRES_IN) return { seconds: value };
  if (value === undefined) return { wrong: 'missing' };
  if (typeof value === 'string') return { wrong: `a string of ${value.length} characters` };
  return { wrong: describeNonString(value) };
}

/** What a warning says of a bad expires_in: what it was, and what is done instead. */
export const expiresInWarning = (wrong: string): string =>
  `Zoom's token answer's expires_in is ${wrong}, not a number of seconds from 1 to ${MAX_EXPIRES_IN}: the token is renewed as if it lived ${ZOOM_TOKEN_SECONDS} s (Zoom's documented lifetime)`;

/** What `value` is, in words that carry none of it: `a number`, `a list`, `an object`. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Longest access_token taken: Zoom's are JWTs of about a kilobyte; a header of megabytes is no token. */
const MAX_ACCESS_TOKEN_LENGTH = 16_384;

/**
 * The token answer's `access_token` when it can be the credential of an `Authorization: Bearer`
 * header; otherwise what is wrong with it, in words that carry none of it (`absent`: no token
 * at all, missing, null or empty; a number says "a number", not which). It must
 * be a string of visible ASCII (0x21-0x7e): a line break, NUL, a space or `€` once passed, and
 * every call of the token's life threw in fetch before it was sent (logged as a network error,
 * each charged to the daily budget). RFC 6750's b64token is stricter; Zoom's tokens (JWTs) fit
 * both, and visible ASCII is what a header can carry as one credential.
 */
export function readAccessToken(value: unknown): { token: string } | { wrong: string; absent?: true } {
  if (value === undefined) return { wrong: 'missing', absent: true };
  if (value === null) return { wrong: 'null', absent: true };
  if (value === '') return { wrong: 'an empty string', absent: true };
  // Its type only: a number, say, may be the token all the same (12345 was echoed).
  if (typeof value !== 'string') return { wrong: `${kindOf(value)}, not a string` };
  if (value.length > MAX_ACCESS_TOKEN_LENGTH)
    return { wrong: `a string of ${value.length} characters (at most ${MAX_ACCESS_TOKEN_LENGTH})` };
  const bad = uncarriedInHeader(value);
  if (bad === undefined) return { token: value };
  const code = bad.codePointAt(0)!;
  const what =
    code === 0x20
      ? 'a space'
      : code < 0x20 || code === 0x7f
        ? 'a control character or line break'
        : 'a character beyond ASCII';
  return { wrong: `a string of ${value.length} characters holding ${what}` };
}
