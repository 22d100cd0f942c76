import type { RawNotifier } from './raw.js';
import { problemAt, type ParseContext } from './parse-context.js';
import { baseUrlProblem } from '../util/http-url.js';

type RawBuiltIn = Exclude<RawNotifier, { type: 'module' }>;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the HTTP client sets from the request itself: given twice they break the request. */
const HOP_BY_HOP = [
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
];

/** The headers each kind sets itself (notify/plugins): a second value is comma-joined to them. */
const OWN_HEADERS: Partial<Record<RawBuiltIn['type'], string[]>> = {
  webhook: ['content-type', 'x-qoswatch-notification-id', 'x-qoswatch-timestamp', 'x-qoswatch-signature'],
  alertmanager: ['content-type'],
};

/** The URL's path as a request takes it: `.` and `..` segments resolved (`/api/v2/x/../alerts`). */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/**
 * How an alertmanager url ends in the API path qoswatch appends, in any case: `/api/v2/alerts`,
 * or `/API/V2/ALERTS`, said as Alertmanager's path in another case. Alertmanager's paths are
 * case-sensitive: either way the post goes to `.../api/v2/alerts` under it, answered 404.
 */
function apiPathEnd(url: string): string | undefined {
  const end = /\/api\/v2\/alerts\/*$/i.exec(pathOf(url))?.[0].replace(/\/+$/, '');
  if (!end || end === '/api/v2/alerts') return end;
  return `${end}, Alertmanager's API path /api/v2/alerts in another case (its paths are case-sensitive)`;
}

/**
 * Why a notifier's URL cannot be used as written, beyond the check of every URL setting
 * (util/http-url.ts): alertmanager's url and slack's api_url are bases that a path is appended to,
 * so a query or a fragment sent every request elsewhere (`http://h/?x=1` posted to
 * `/?x=1/api/v2/alerts`); a webhook's query is sent, its fragment never is.
 */
function urlProblem(n: RawBuiltIn): { key: string; problem: string } | undefined {
  if (n.type === 'alertmanager') {
    const { url } = n;
    const base = baseUrlProblem(
      url,
      '/api/v2/alerts is appended to the path',
      "Alertmanager's base URL such as http://alertmanager:9093",
    );
    if (base) return { key: 'url', problem: base };
    const api = apiPathEnd(url);
    if (api)
      return {
        key: 'url',
        problem: `found ${JSON.stringify(url)}, which ends in ${api} (qoswatch appends it); expected Alertmanager's base URL such as http://alertmanager:9093 (or http://host/prefix behind a path prefix)`,
      };
  }
  const slack =
    n.type === 'slack' && n.api_url !== undefined
      ? baseUrlProblem(
          n.api_url,
          'method names such as chat.postMessage are appended to it',
          'a URL such as https://slack.com/api/',
        )
      : undefined;
  if (slack) return { key: 'api_url', problem: slack };
  if (n.type === 'webhook' && n.url.includes('#'))
    return {
      key: 'url',
      problem: `found a URL with a fragment (#…), which is never sent; expected the URL without it (a query is kept)`,
    };
  return undefined;
}

/** Each problem of a notifier's `headers`, at the header: names and values never sent as given. */
function checkHeaders(ctx: ParseContext, n: RawBuiltIn, i: number): void {
  if (n.type !== 'webhook' && n.type !== 'alertmanager') return;
  const own = OWN_HEADERS[n.type] ?? [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(n.headers ?? {})) {
    const at = ['notifiers', i, 'headers', name];
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name))
      problemAt(
        ctx,
        at,
        `found the header name ${JSON.stringify(name)}; expected a name of letters, digits and !#$%&'*+-.^_\`|~ (no space or colon)`,
        true,
      );
    else if (own.includes(lower))
      problemAt(
        ctx,
        at,
        `${name} is set by qoswatch itself; expected a header of your own (remove this one)`,
        true,
      );
    else if (HOP_BY_HOP.includes(lower))
      problemAt(
        ctx,
        at,
        `${name} is set by the HTTP client from the request; expected a header of your own (remove this one)`,
        true,
      );
    else if (seen.has(lower))
      problemAt(
        ctx,
        at,
        `${name} is given twice (header names are case-insensitive); expected it once`,
        true,
      );
    seen.add(lower);
    // The value is not quoted: it often is a credential.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value))
      problemAt(
        ctx,
        at,
        `the value of ${name} holds a line break, a control character or a character beyond Latin-1, which fetch refuses; expected a value on one line`,
      );
  }
}

/** A built-in notifier's URL and headers, checked where the file gives them. */
export function checkNotifierHttp(ctx: ParseContext, n: RawBuiltIn, i: number): void {
  const url = urlProblem(n);
  if (url) problemAt(ctx, ['notifiers', i, url.key], url.problem);
  checkHeaders(ctx, n, i);
}
