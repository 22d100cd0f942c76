import { REDACTED, redactSecretPairs } from './redact-pairs.js';
import { lineEndFrom } from './line-quotes.js';
import { redactPemKeys } from './redact-pem.js';
import { urlStart } from './url-start.js';

/** What stands in a message for the `user:password` of a URL. */
export const REDACTED_USERINFO = REDACTED;

/** What ends a URL's authority (its host, or its `user:password@host`) in free text. */
const isAuthorityEnd = (c: string): boolean => /[\s/?#"'`,;<>(){}|\\]/.test(c);
/** A host (a name, an IPv4 or an [IPv6] address) with or without a port: what ends an authority. */
const HOST_PORT = /^(?:[\p{L}\p{N}._~%-]*|\[[^\]]*\])(?::\d*)?$/u;

/**
 * The next URL at or after `from` whose `user:password@` may be hidden: where its scheme starts
 * (util/url-start.ts) and where its authority does (after `://`). Not a `file://` one: stack
 * traces keep their paths, @scope folders included.
 */
function nextUrl(text: string, from: number): { start: number; after: number } | undefined {
  for (let c = text.indexOf('://', from); c >= 0; c = text.indexOf('://', c + 1)) {
    const start = urlStart(text, c);
    if (start >= from && text.slice(start, c).toLowerCase() !== 'file') return { start, after: c + 3 };
  }
  return undefined;
}

/** A `name:digits` authority: a host and its port, or a user and a password of digits. */
const MAY_BE_PASSWORD = /^[^[\]]*:\d+$/;

/**
 * Where the authority starting at `from` ends, and whether a path (`/`, `?`, `#`) follows it.
 * It ends at the first of its ends (a space, a `/`, a quote…) before which it is complete, a
 * `host[:port]` alone or after an `@`; else at the line's end. `user:pa ss` is not complete at
 * its space (`pa` is no port), so a `://` after it (`http://u:pa ss://x@h`) is the password's,
 * not a second URL's; `api.zoom.us/` is, so a URL after it on the line is one. Nor is a
 * `name:digits` before anything but a path (`http://u:1234 x://y@h/`: it may be a user and a
 * password with a space in it). A `://` inside (`u:pa://ss@h`) is part of it, however many.
 */
function authorityEnd(text: string, from: number, lineEnd: number): { end: number; path: boolean } {
  let token = from;
  let at = -1;
  let i = from;
  for (; i < lineEnd; i++) {
    const c = text[i]!;
    if (c === ':' && text.startsWith('//', i + 1)) i += 2;
    else if (c === '@') at = i;
    else if (isAuthorityEnd(c)) {
      const host = at >= 0 ? text.slice(at + 1, i) : token === from ? text.slice(from, i) : undefined;
      if (host !== undefined && HOST_PORT.test(host)) {
        const path = c === '/' || c === '?' || c === '#';
        if (path || at >= 0 || !MAY_BE_PASSWORD.test(host)) return { end: i, path };
      }
      token = i + 1;
      at = -1;
    }
  }
  return { end: i, path: false };
}

/** The last `@` that a host follows (a letter, a digit or `[`) in `from`..`to`, or -1. */
function lastHostAt(text: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) {
    if (text[i] === '@' && /^[\p{L}\p{N}[]/u.test(text.slice(i + 1, i + 3))) return i;
  }
  return -1;
}

/**
 * The text with every URL's `user:password` (from its `://` to the last `@` before a host, on
 * the same line, before the next URL) replaced by `[redacted]`. An `@` after the `/`, `?` or `#`
 * that ends a complete authority is its path's, not userinfo (`https://h/x/a@b.com/y` is kept). In free text a URL's end is not
 * known and a password may hold anything (a space, a quote, `/`, `@`, `://`): hiding too much
 * (a later `user@host` on the line) is the safe side. A later `scheme://` is the next URL only
 * after the authority before it is complete (authorityEnd): `from https://a.example.com to
 * http://u:pw@b.example.com` keeps its first URL. One pass, left to right, each character looked
 * at a bounded number of times: the regex this replaces took 4.4 s on a line of 50,000 `a.`, and
 * showed a password with a space or `/` before a `://` in it, or with a fourth `://`.
 */
function redactUserinfo(text: string): string {
  let out = '';
  let done = 0;
  let lineEnd = -1;
  let url = nextUrl(text, 0);
  while (url) {
    if (lineEnd < url.after) lineEnd = lineEndFrom(text, url.after);
    const { end, path } = authorityEnd(text, url.after, lineEnd);
    const next = nextUrl(text, end);
    const to = path ? end : Math.min(lineEnd, next?.start ?? lineEnd);
    const at = lastHostAt(text, url.after, to);
    if (at >= 0) {
      out += `${text.slice(done, url.after)}${REDACTED_USERINFO}`;
      done = at;
    }
    url = next;
  }
  return out + text.slice(done);
}

/**
 * The text with the credentials of every URL in it (`http://user:password@host/`) replaced by
 * `[redacted]` (`http://[redacted]@host/`), and the value of every secret `key=value` or
 * `key: value` (`password=...`, `token="..."`, `client_secret: ...`, util/redact-pairs.ts) and of
 * every `authorization: …` header too, and the body of every PEM private key block
 * (util/redact-pem.ts). Linear in the text: it runs on every log line. Every
 * message that can echo a configured URL or value goes through it: the command line's error output (main.ts) and the daemon's log
 * (util/logger.ts); a config problem's echo of a value goes through redactUrlValue
 * (util/yaml-file.ts).
 */
export function redactUrlCredentials(text: string): string {
  return redactUserinfo(redactSecretPairs(redactPemKeys(text)));
}

/**
 * A value known to be whole (a setting's value, not a text around it) with everything between its
 * `://` and its last `@` replaced by `[redacted]`, whatever stands between: a URL that no parser
 * reads (`http://user:pa ss@x/`, a quote or a `/` in the password) shows none of its
 * `user:password` either, where redactUrlCredentials, which must find a URL's end in free text,
 * stops at the space. And every item of its query and fragment but a pair's key, and the value of
 * every `;key=value` of its path (queryValuesHidden).
 */
export function redactUrlValue(value: string): string {
  const start = value.indexOf('://');
  if (start < 0) return value;
  const at = value.lastIndexOf('@');
  const hidden =
    at > start + 3 ? `${value.slice(0, start + 3)}${REDACTED_USERINFO}${value.slice(at)}` : value;
  return queryValuesHidden(hidden, start + 3);
}

/**
 * `url` with every item of its query and fragment hidden but the key of a `key=value` pair
 * (`?sig=[redacted]&[redacted]&x=`, `#access_token=[redacted]`, `#[redacted]`), and the value of
 * every `;key=value` parameter of its path (`/hook;jsessionid=[redacted]`), and the secret of an
 * incoming webhook's path (WEBHOOK_PATH: `/services/T0/B0/[redacted]`): any of them may be a
 * credential (a signature, a token under a name of its own or under none: `?TOKEN`, or with its
 * `=` encoded: `?sig%3D…`), not only those under a secret word. `from`: where its authority starts.
 */
function queryValuesHidden(url: string, from: number): string {
  const query = url.slice(from).search(/[?#]/);
  const at = query < 0 ? url.length : from + query;
  const path = url
    .slice(from, at)
    .replace(PATH_PARAM, `$1${REDACTED}`)
    .replace(WEBHOOK_PATH, `$1${REDACTED}`);
  return url.slice(0, from) + path + url.slice(at).replace(QUERY_ITEM, itemHidden);
}

/** A `;key=value` parameter of a path segment: its `;` and key with the `=`, then its value. */
const PATH_PARAM = /(;[^=;/]*=)[^;/]+/g;
/**
 * The part of an incoming-webhook URL's path that is its secret, after the part that is not:
 * Slack's `/services/T…/B…/<secret>`, Teams' `/IncomingWebhook/<ids>`, Discord's
 * `/api/webhooks/<id>/<token>`. Only these shapes: an ordinary path is kept.
 */
const WEBHOOK_PATH =
  /(\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/|\/IncomingWebhook\/|\/api\/webhooks\/\d+\/)[^?#]+/;
/** An item of a query or a fragment: its start (`?`, `#`, `&`, `;`), then the item itself. */
const QUERY_ITEM = /([?#&;])([^&;#]*)/g;

/** A query or fragment item with all but its key (if it is a `key=value` pair) hidden. */
function itemHidden(_: string, start: string, item: string): string {
  const eq = item.indexOf('=');
  if (eq < 0) return item === '' ? start : `${start}${REDACTED}`;
  return eq + 1 < item.length ? `${start}${item.slice(0, eq + 1)}${REDACTED}` : start + item;
}

/**
 * A copy of `value` with every string in it passed through `known` (the logger's known secret
 * values: util/log-secrets.ts; none by default) then redactUrlCredentials, to at most `depth`
 * levels of plain objects and lists (deeper ones are left as they are: log objects are shallow;
 * errors are redacted by the logger's serializer).
 */
export function redactUrlCredentialsIn<T>(value: T, depth = 4, known = (s: string): string => s): T {
  if (typeof value === 'string') return redactUrlCredentials(known(value)) as T;
  if (depth <= 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  const inner = (v: unknown): unknown => redactUrlCredentialsIn(v, depth - 1, known);
  if (Array.isArray(value)) return value.map(inner) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = inner(v);
  return out as T;
}
