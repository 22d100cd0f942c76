import { REDACTED_USERINFO } from '../util/redact-url.js';

/**
 * The proxy that Zoom calls (API, OAuth token, Video SDK) go through, read from the environment
 * as curl, Go, Python and Node 24's fetch (with NODE_USE_ENV_PROXY=1) read it: `https_proxy` or
 * `HTTPS_PROXY` for https:// URLs, `http_proxy` or `HTTP_PROXY` for http:// ones and for
 * https:// when no HTTPS proxy is set (as undici and Node do), lower case first; `no_proxy` or
 * `NO_PROXY` lists hosts reached directly (`zoom.us` also covers `api.zoom.us`; `host:port`;
 * `*` alone turns the proxy off).
 *
 * On whenever a variable is set, with no opt-in: a corporate network or Docker's proxy settings
 * put them in every container's environment for the programs in it to use, and Zoom is never on
 * the local network. This machine itself (localhost, 127.0.0.1, [::1]: the simulator of `demo`)
 * is never reached through a proxy, as Go's client does.
 *
 * A proxy URL may hold a user and password: they are sent to the proxy (Proxy-Authorization) and
 * never shown; `shown` has them replaced, as util/redact-url.ts replaces them in every message.
 */

export interface ZoomProxy {
  /** For http:// URLs, when set. */
  http?: ProxyUrl;
  /** For https:// URLs. */
  https: ProxyUrl;
  /** Hosts reached directly, NO_PROXY's and this machine, in NO_PROXY's form. */
  noProxy: string;
  /** One line for the log, credentials replaced: which proxy, from which variable, and the exceptions. */
  shown: string;
}

/** Never through a proxy: the machine the daemon runs on. */
export const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** A proxy variable holding no URL a proxy can be reached at. */
export class ProxySettingError extends Error {
  readonly code = 'PROXY_SETTING';
  get proxyHint(): string {
    return `: ${this.message}`;
  }
}

/** The proxy for Zoom calls the environment sets, or undefined (none set, or `NO_PROXY=*`). */
export function zoomProxy(env: NodeJS.ProcessEnv = process.env): ZoomProxy | undefined {
  const http = proxyUrl(env, 'http_proxy', 'HTTP_PROXY');
  const https = proxyUrl(env, 'https_proxy', 'HTTPS_PROXY') ?? http;
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '').trim();
  if (!https || noProxy === '*') return undefined;
  const exceptions = noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .concat(LOOPBACK);
  const through = [`https:// through ${https.shown} (${https.from})`];
  if (http) through.push(`http:// through ${http.shown} (${http.from})`);
  return {
    ...(http ? { http } : {}),
    https,
    noProxy: exceptions.join(','),
    shown: `Zoom calls go ${through.join(', ')}; directly to ${exceptions.join(', ')}`,
  };
}

export interface ProxyUrl {
  /** As given, scheme added: for undici, never for a message. */
  url: string;
  /** With any user and password replaced by [redacted]. */
  shown: string;
  /** The variable it came from. */
  from: string;
}

/** The variable's proxy URL (http:// added when it names no scheme, as curl does), or undefined when unset or empty. */
function proxyUrl(env: NodeJS.ProcessEnv, lower: string, upper: string): ProxyUrl | undefined {
  const from = env[lower] !== undefined ? lower : upper;
  const raw = env[from]?.trim();
  if (!raw) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  const expected =
    'expected http://host:port or https://host:port (user:password@ before the host if the proxy asks for them)';
  // The value itself is never repeated: it may hold the proxy's password.
  if (!URL.canParse(withScheme)) throw new ProxySettingError(`${from} is not a URL; ${expected}`);
  const u = new URL(withScheme);
  const shown = `${u.protocol}//${u.username || u.password ? `${REDACTED_USERINFO}@` : ''}${u.host}`;
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ProxySettingError(`${from} names a ${u.protocol} proxy (${shown}); ${expected}`);
  if (!u.hostname) throw new ProxySettingError(`${from} names no host; ${expected}`);
  return { url: u.href, shown, from };
}

/**
 * A failed call when a proxy is set: fetch's `TypeError('fetch failed')` whose cause says so,
 * with the socket's error under it. The cause's code stays the socket's
 * (ECONNREFUSED...) so a request that never left is still known as one, except a tunnel the
 * proxy refused, which is `PROXY_<status>` (407: the proxy wants credentials, or other ones).
 */
export function proxiedFailure(err: unknown, proxy: ZoomProxy, url: string): TypeError {
  const { protocol, hostname } = new URL(url);
  const through = protocol === 'https:' ? proxy.https : proxy.http;
  if (!through || LOOPBACK.includes(hostname)) return new TypeError('fetch failed', { cause: err });
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const status = /^Proxy response \((\d+)\)/.exec(String(e.message))?.[1];
  const code = status ? `PROXY_${status}` : typeof e.code === 'string' ? e.code : String(e.name);
  const proxyHint = ` through the proxy ${through.shown} (${through.from}), unless NO_PROXY lists the host`;
  const cause = Object.assign(new Error(`${code}${proxyHint}`, { cause: err }), { code, proxyHint });
  return new TypeError('fetch failed', { cause });
}

/** What a failed call's cause says about the proxy (proxiedFailure, ProxySettingError), or ''. */
export function proxyHint(err: unknown): string {
  const hint = (err as { cause?: { proxyHint?: unknown } }).cause?.proxyHint;
  return typeof hint === 'string' ? hint : '';
}
