import { redactUrlValue } from './redact-url.js';

/**
 * What is wrong with `text` as the URL of a setting that qoswatch fetches or posts to, in words
 * that follow the value (`found "…", whose port 99999 is not from 1 to 65535`), or undefined when
 * it is an http(s) URL that `new URL` reads, without `user:password@` (fetch refuses those on
 * every attempt), with a port from 1 to 65535 if any, and not one of fetch's bad ports (6666,
 * 10080, …: fetch refuses them, on every attempt, as 'network error (bad port)', which was retried
 * until given up). `format: uri` alone accepted `file:`, `javascript:`, credentials and
 * `http://127.0.0.1:99999`, which then failed at every call.
 * The scheme may be in any case (`HTTPS://`), as URL schemes are; the settings take it in lower
 * case (lowerScheme).
 *
 * The one check of every URL setting (the schema keyword `httpUrl`, util/validators.ts). Its
 * own text goes into the build's standalone validators: it uses nothing but globals.
 */
export function httpUrlProblem(text: string): string | undefined {
  if (/[\s"<>\\^`{|}]/.test(text)) return 'which holds a space or a character a URL never holds';
  // A scheme is case-insensitive (RFC 3986 3.1; WHATWG URL lowercases it): HTTPS://… is https://….
  const authority = /^https?:\/\/([^/?#]*)/i.exec(text)?.[1];
  if (authority === undefined) return 'which is not an http:// or https:// URL';
  if (authority.includes('@')) return 'which carries user:password@';
  if (authority === '') return 'which has no host';
  const port = /:(\d+)$/.exec(authority)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
    return `whose port ${port} is not from 1 to 65535`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return 'which does not parse as a URL';
  }
  // The WHATWG fetch standard's bad ports (undici's lib/web/fetch/constants.js).
  const badPorts =
    '1 7 9 11 13 15 17 19 20 21 22 23 25 37 42 43 53 69 77 79 87 95 101 102 103 104 109 110 111 113 ' +
    '115 117 119 123 135 137 139 143 161 179 389 427 465 512 513 514 515 526 530 531 532 540 548 554 ' +
    '556 563 587 601 636 989 990 993 995 1719 1720 1723 2049 3659 4045 4190 5060 5061 6000 6566 6665 ' +
    '6666 6667 6668 6669 6679 6697 10080';
  if (badPorts.split(' ').includes(parsed.port))
    return `whose port ${parsed.port} is one fetch refuses (a "bad port" of the fetch standard; pick another port)`;
  return undefined;
}

/**
 * The schema of a setting that must be an http(s) URL (see httpUrlProblem). `format` and
 * `pattern` are for editors, which do not know `httpUrl`; qoswatch reports the keyword's problem
 * alone (util/yaml-file.ts).
 */
export const httpUrlSchema = (errorMessage: string): Record<string, unknown> => ({
  type: 'string',
  format: 'uri',
  // JSON Schema patterns have no flags: the scheme in any case, spelt out.
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\\s]+([/?#]|$)',
  httpUrl: true,
  errorMessage,
});

/** A URL's scheme (RFC 3986 3.1) and, when `//` follows it, its authority: what is case-folded. */
const SCHEME_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*:)(\/\/[^/?#]*)?/;

/**
 * `text` with its scheme in lower case (`HTTPS://h/P` is `https://h/P`): how every URL setting and
 * a token's api_url are taken, so that what appends to them, compares them or logs them sees one
 * spelling. Only the scheme: the rest of a URL is the user's (a path is case-sensitive).
 */
export function lowerScheme(text: string): string {
  return text.replace(
    SCHEME_AUTHORITY,
    (whole, scheme: string) => scheme.toLowerCase() + whole.slice(scheme.length),
  );
}

/** The message of a notifier's URL setting. */
export const NOTIFIER_URL_MESSAGE = 'an http(s) URL without user:password@ (credentials go in headers)';

/**
 * What is wrong with `url` as a base URL that a path is appended to as text (`appended`: what,
 * in words), when it has a query or a fragment: the path would land in them, and every request
 * go elsewhere. `expected`: a URL of the kind wanted, in words. Undefined when it has neither.
 * The URL is shown with the values of its query and fragment hidden (redactUrlValue): any may be
 * a credential (`?sig=…`).
 */
export function baseUrlProblem(url: string, appended: string, expected: string): string | undefined {
  if (!/[?#]/.test(url)) return undefined;
  return `found ${JSON.stringify(redactUrlValue(url))}, which has a query or a fragment (${appended}); expected ${expected}, without a query or a fragment`;
}

/**
 * `text` as two URLs that reach the same place compare: scheme and host in lower case (RFC 3986
 * 3.1 and 3.2.2: both case-insensitive), the rest as written (a path is case-sensitive). A host
 * holding `${` is left as written: `${HOST}` and `${host}` are two environment variables. A text
 * without `scheme://` is left as it is.
 */
export function urlCaseFolded(text: string): string {
  return text.replace(SCHEME_AUTHORITY, (whole, scheme: string, authority: string | undefined) =>
    authority === undefined
      ? whole
      : scheme.toLowerCase() + (authority.includes('${') ? authority : authority.toLowerCase()),
  );
}
