import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { MAX_ANSWER_BYTES } from '../util/bounded-answer.js';
import { cappedBytes, unreadAnswer } from './capped-body.js';
import { proxiedFailure, zoomProxy, type ZoomProxy } from './proxy.js';

/**
 * The `fetch` that ky is given for Zoom (http.ts): ky builds and signs the request as before,
 * and this sends it with the `undici` package's `request()` over a keep-alive pool, then reads
 * the body whole. Node's own fetch cost about 0.35-0.5 ms of CPU a call more on a 55 KB QoS page
 * (Request, Response and Headers objects, the body as a web stream, TextDecoder, a timing
 * entry: issue 16), more than JSON.parse of the page itself.
 *
 * What fetch did and this keeps:
 * - the request's signal (the zoom.timeout Deadline, or the daemon's stop) aborts the exchange,
 *   the body included, and the call rejects with the signal's reason;
 * - a failure on the wire rejects with `TypeError('fetch failed')` whose `cause` is the socket's
 *   error (ECONNREFUSED, UND_ERR_SOCKET...), so classify.ts's `causeCode` reads it as before; no
 *   error carries the request or its headers;
 * - compressed bodies are asked for (`gzip, deflate`), as fetch asked: a cycle at 4,200
 *   participants is about 33 MB of JSON, a few MB compressed;
 * - a request without an Accept or a User-Agent is sent the one fetch sent (any type) and `qoswatch`
 *   (fetch sent `node`);
 * - a redirect to the same origin is followed (at most 20, GET and HEAD only, as Zoom never
 *   redirects a POST), and a body sent compressed despite not being asked to be is decoded.
 *
 * - the proxy the environment sets (HTTPS_PROXY, HTTP_PROXY, NO_PROXY: proxy.ts) is used, as
 *   Node 24's fetch uses it with NODE_USE_ENV_PROXY=1, but without that opt-in, and on Node 20.
 *
 * What it does differently: a redirect to another origin is not followed (fetch followed it,
 * without the Authorization header); its 3xx is the answer, which the client refuses as an HTTP
 * error. And an answer is read to `maxBytes` at most (the caller's, passed by ky as an option it
 * does not know: answer-bounds.ts answerBytes for an endpoint; MAX_ANSWER_BYTES when none), on
 * the wire and once decoded: a 2xx past it (or whose content-length says so) fails with an
 * AnswerPastCap, the rest unread, its connection closed (an outside tester's 200 MB meeting list
 * took the daemon to 1.97 GB): the client counts it as `bad_response` and does not ask again
 * (classify.ts). One cap for all refused Zoom's largest honest QoS page (43.6 MB). An error's
 * body past it is as if empty (answerBytes): the answer is its status.
 */
export async function zoomFetch(
  input: string | URL | Request,
  init?: RequestInit & { maxBytes?: number },
): Promise<Response> {
  const req = input instanceof Request ? input : new Request(input, init);
  const { signal, method } = req;
  signal.throwIfAborted();
  const headers: string[] = [];
  for (const [name, value] of req.headers) headers.push(name, value);
  // What fetch added when they were missing: some gateways refuse a request without a User-Agent.
  if (!req.headers.has('accept')) headers.push('accept', '*/*');
  if (!req.headers.has('user-agent')) headers.push('user-agent', 'qoswatch');
  if (!req.headers.has('accept-encoding')) headers.push('accept-encoding', 'gzip, deflate');
  const body = req.body ? Buffer.from(await req.arrayBuffer()) : null;
  let url = req.url;
  let proxy: ZoomProxy | undefined;
  try {
    const pooled = pool();
    proxy = pooled.proxy;
    for (let hops = 0; ; hops++) {
      const res = await request(url, {
        method,
        headers,
        body,
        signal,
        dispatcher: pooled.dispatcher,
      });
      const next = hops < MAX_REDIRECTS ? sameOriginRedirect(url, method, res) : undefined;
      if (next === undefined) {
        const bytes = await answerBytes(res, init?.maxBytes ?? MAX_ANSWER_BYTES);
        // undici hands a socket back one turn of the event loop after its answer ends: a caller
        // that asked for its next page before then was given a second socket, so 8 workers held
        // up to 16, and those used least timed out idle and were opened again every cycle.
        await nextTurn();
        // ky reads `ok` and `status` of what fetch gives (with no hooks, as the client has none);
        // the client and the token request read `status`, `headers.get` and `arrayBuffer()`, the
        // bytes (made text only to be parsed: classify.ts). A Response would cost what this saves.
        return new WholeAnswer(res.statusCode, res.headers, bytes) as unknown as Response;
      }
      await res.body.dump();
      url = next;
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (proxy) throw proxiedFailure(err, proxy, url);
    throw new TypeError('fetch failed', { cause: err });
  }
}

const MAX_REDIRECTS = 20;

const EMPTY = Buffer.alloc(0);

/**
 * The body's bytes, read to `max` at most (cappedBytes). An error's body past the cap, or in an
 * encoding not read, is as if empty: the answer is its status and headers (a proxy's 502 page of
 * megabytes is a server error, retried as one; a 429's Retry-After is read), not its size. Zoom's
 * own error bodies are a few hundred bytes of JSON. A 2xx body past the cap fails the fetch.
 */
async function answerBytes(res: Dispatcher.ResponseData, max: number): Promise<Buffer> {
  try {
    return await cappedBytes(res.body, res.headers, max);
  } catch (err) {
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    if (ok || !unreadAnswer(err)) throw err;
    return EMPTY;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The URL a same-origin redirect of a GET or HEAD points to, or undefined: the answer is final. */
function sameOriginRedirect(url: string, method: string, res: Dispatcher.ResponseData): string | undefined {
  const location = res.headers.location;
  if (!REDIRECTS.has(res.statusCode) || typeof location !== 'string') return undefined;
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const from = new URL(url);
  // URL.parse is Node 22: a Location that is no URL is the answer, as fetch's would be an error.
  const next = URL.canParse(location, url) ? new URL(location, from) : undefined;
  return next?.origin === from.origin ? next.href : undefined;
}

/** The part of a Response that ky and the Zoom client read, over a body already read whole. */
class WholeAnswer {
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly status: number,
    raw: Dispatcher.ResponseData['headers'],
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = new RawHeaders(raw);
  }

  /** The body's bytes, not copied when they fill their buffer (cappedBytes: a large one does). */
  arrayBuffer(): Promise<ArrayBuffer> {
    const { buffer, byteOffset, length } = this.body;
    const whole = byteOffset === 0 && length === buffer.byteLength && buffer instanceof ArrayBuffer;
    return Promise.resolve(whole ? buffer : new Uint8Array(this.body).buffer);
  }
}

/** undici's header object read as fetch's Headers is: by lower-case name, repeats joined. */
class RawHeaders {
  constructor(private readonly raw: Dispatcher.ResponseData['headers']) {}

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
}

let agent: { dispatcher: Dispatcher; proxy: ZoomProxy | undefined } | undefined;

/**
 * One keep-alive pool for every Zoom host, made at the first request, through the proxy the
 * environment sets if any: undici's EnvHttpProxyAgent, which tunnels each connection with
 * CONNECT (http:// URLs too, as Node's fetch does) and keeps the tunnels alive as sockets.
 */
function pool(): NonNullable<typeof agent> {
  if (agent) return agent;
  const proxy = zoomProxy();
  const dispatcher = proxy
    ? new EnvHttpProxyAgent({
        httpProxy: proxy.http?.url,
        httpsProxy: proxy.https.url,
        noProxy: proxy.noProxy,
      })
    : new Agent();
  agent = { dispatcher, proxy };
  return agent;
}
