import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { answerClientError, answerConnect, requestTimeouts } from '../../util/client-error.js';
import type { Clock } from '../../util/clock.js';
import { answerTooLarge } from '../../util/too-large.js';
import { isQssEvent } from './qss.js';
import { bodyKey, ReplayGuard, signatureKey } from './replay-guard.js';
import { requestTimestampMs, signatureMatches, urlValidationAnswer } from './signature.js';
import type { Spool, SpoolEntry, SpoolRecord } from './spool.js';
import type { EventClockMode } from './event-clock.js';
import { readTlsFile } from '../../util/secret-file.js';
import { ConnectionGuard, type ConnectionLimits, type GuardStats } from '../../util/connection-guard.js';

/**
 * Zoom's pushes come on many connections at once, one request at a time on each; an answer
 * later than 3 s is a failure to Zoom anyway.
 */
const LIMITS: ConnectionLimits = { maxConnections: 256, maxPipelined: 16, flushMs: 10_000 };

/** One Zoom app that sends webhooks: where it posts, and the secret token that signs them. */
export interface WebhookApp {
  name: string;
  path: string;
  secretToken: string;
  /** Whose clock the app's `event_ts` is (event-clock.ts); `zoom` when absent. */
  eventClock?: EventClockMode;
}

/** The webhook receiver's settings (the `webhooks:` section). */
export interface WebhooksSettings {
  host: string;
  port: number;
  tls?: { certFile: string; keyFile: string };
  apps: WebhookApp[];
  maxBodyBytes: number;
  /** Requests whose timestamp is further than this from now (either way) are refused. */
  maxAgeMs: number;
  /** Polling takes an instance back once its pushes have stopped for this long. */
  takeoverAfterMs: number;
  /** An instance on the push path is still polled once this often (joiners Zoom does not push). */
  recheckEveryMs?: number;
}

/** Why a request was refused; each is a value of the `reason` label. */
export const REFUSALS = [
  'not_found',
  'method',
  'too_large',
  'no_signature',
  'bad_timestamp',
  'stale',
  'bad_signature',
  'replay',
  'bad_json',
  'bad_request',
  'spool_error',
  // Bytes that never became a request (util/client-error.ts).
  'malformed',
  'headers_too_large',
  'request_timeout',
] as const;
export type Refusal = (typeof REFUSALS)[number];

/** What happened to accepted requests. */
export const OUTCOMES = ['accepted', 'duplicate', 'url_validation', 'ignored'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ReceiverStats {
  refused: Map<Refusal, number>;
  outcomes: Map<Outcome, number>;
  /** Verified events by name; names qoswatch does not read count as "other". */
  events: Map<string, number>;
}

const bump = <K>(m: Map<K, number>, k: K): void => void m.set(k, (m.get(k) ?? 0) + 1);

class Refused extends Error {
  constructor(
    readonly reason: Refusal,
    readonly status: number,
  ) {
    super(reason);
  }
}

/** What a refusal most often means, for the log. */
const REFUSAL_HINTS: Partial<Record<Refusal, string>> = {
  not_found: "no app has this path; check the endpoint URL in the Zoom app's event subscription",
  bad_signature:
    "the signature does not match; check the app's secret token, and that a proxy passes the body unchanged",
  stale: "the timestamp is outside webhooks.max_age; check this machine's clock, or a replay",
  too_large: 'the body is over webhooks.max_body_bytes',
  malformed:
    'the request is not valid HTTP/1.1 (its framing: Content-Length, Transfer-Encoding, the request line)',
  headers_too_large: "the request's headers are over 16 KiB",
  spool_error: 'the spool in state.dir cannot be written; Zoom will retry',
};

/**
 * The request's path as sent, without its query. Not parsed as a URL: `new URL('//', base)`
 * throws (a 500 for `POST //`), and `//zoom/qss` would parse as host `zoom`, path `/qss`.
 */
const path = (req: IncomingMessage): string => {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

const header = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
};

/** The verified body as text, parsed, and its `event` ('' when it has none); not JSON: a 400. */
function readEvent(body: Buffer): { text: string; parsed: unknown; event: string } {
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Refused('bad_json', 400);
  }
  const event =
    typeof parsed === 'object' && parsed !== null && typeof (parsed as { event?: unknown }).event === 'string'
      ? (parsed as { event: string }).event
      : '';
  return { text, parsed, event };
}

/**
 * Zoom's webhooks come in here: a listener of its own (it faces Zoom, the metrics endpoint
 * faces Prometheus), one path per Zoom app. Every request is checked before its body is
 * parsed: POST only, size within the limit, a timestamp within `maxAgeMs`, the app's
 * signature (constant-time, over the raw bytes), not a replay. Verified events are appended
 * to the spool (fsynced) before Zoom gets its 200, and handed on afterwards, so the answer
 * never waits for evaluation. Nothing a client sends can throw out of here.
 */
export class WebhookReceiver {
  private readonly server: Server;
  private readonly byPath: Map<string, WebhookApp>;
  readonly guard: ReplayGuard;
  /** Appends in flight, by body digest: a redelivery that comes meanwhile waits for its original. */
  private readonly appending = new Map<string, Promise<boolean>>();
  readonly stats: ReceiverStats = { refused: new Map(), outcomes: new Map(), events: new Map() };
  readonly tls: boolean;
  /** Appends failed since the last one that succeeded: the failure is logged at the first only. */
  private spoolFailures = 0;
  /** When each connection whose first request has not come yet was accepted (clock time). */
  private readonly accepted = new WeakMap<Socket, number>();
  /** Connections a `clientError` answered and counted (their request, if any, is not counted again). */
  private readonly framingRefused = new WeakSet<object>();
  private readonly connectionGuard: ConnectionGuard;

  constructor(
    private readonly settings: WebhooksSettings,
    private readonly deps: {
      clock: Clock;
      log: Logger;
      spool: Spool;
      /** Called after a record is on disk and Zoom has been answered. */
      onRecord: (entry: SpoolEntry) => void;
      /**
       * Time to a request's answer being handed to the OS (ms), Zoom's 3-second deadline: from
       * the connection's accept for its first request, from when Node read it for the others.
       */
      observeAnswer?: (ms: number) => void;
      /** The memory of requests already seen (loaded from state.dir by the caller). */
      guard?: ReplayGuard;
      /** How long a client may take to send its headers, and its whole request (ms; tests shorten them). */
      timeouts?: { headersMs: number; requestMs: number };
      /** What clients can make the receiver hold (ConnectionGuard); tests make them small. */
      limits?: Partial<ConnectionLimits>;
    },
  ) {
    this.byPath = new Map(settings.apps.map((a) => [a.path, a]));
    this.guard = deps.guard ?? new ReplayGuard(2 * settings.maxAgeMs);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.connectionGuard.turn(req, res).then(async (go) => {
        if (!go) return;
        await this.handle(req, res).catch((err: unknown) => {
          deps.log.error({ err: (err as Error).message }, 'webhook request failed');
          this.send(res, 500, { error: 'internal error' });
        });
      });
    };
    this.tls = !!settings.tls;
    // Zoom waits 3 s for an answer; a client that dribbles its request is cut off with a 408.
    const http = requestTimeouts({
      ...(deps.timeouts ?? { headersMs: 5_000, requestMs: 10_000 }),
      keepAliveMs: 30_000,
    });
    // node:https (with node:tls) only with TLS: loading it took 10-60 ms of every start-up.
    this.server = settings.tls
      ? process.getBuiltinModule('node:https').createServer(
          {
            ...http,
            cert: readTlsFile(settings.tls.certFile, 'cert_file'),
            key: readTlsFile(settings.tls.keyFile, 'key_file'),
          },
          handler,
        )
      : createHttp(http, handler);
    this.server.maxHeadersCount = 100;
    this.connectionGuard = new ConnectionGuard(this.server, { ...LIMITS, ...deps.limits });
    // Bad framing (Content-Length: -5, two lengths, headers past 16 KiB) is answered as Node does.
    this.server.on('clientError', (err, socket) => {
      const reason = answerClientError(err, socket);
      if (!reason) return;
      this.framingRefused.add(socket);
      bump(this.stats.refused, reason);
      this.logRefusal(reason, '');
    });
    // CONNECT (Node closes it unanswered without a listener) is a method like any other: 405.
    this.server.on('connect', (_req, socket) => {
      bump(this.stats.refused, 'method');
      answerConnect(socket, 'POST');
    });
    // A connection's first request is timed from its accept (a TLS one's handshake included):
    // under load, it can wait to be read long after the client sent it.
    this.server.on('connection', (socket: Socket) => this.accepted.set(socket, deps.clock.now()));
    if (this.tls)
      this.server.on('secureConnection', (socket: TLSSocket) => {
        const raw = (socket as TLSSocket & { _parent?: Socket })._parent;
        this.accepted.set(socket, (raw && this.accepted.get(raw)) ?? deps.clock.now());
      });
  }

  /** Connections open, requests waiting, bytes buffered, and connections closed by the limits. */
  get connections(): GuardStats {
    return this.connectionGuard.stats;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const t0 = this.startOf(req.socket);
    let observed = false;
    const answered = (): void => {
      if (observed) return;
      observed = true;
      this.deps.observeAnswer?.(this.deps.clock.now() - t0);
    };
    res.on('finish', answered);
    try {
      await this.accept(req, res);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      // A request whose body Node's parser refused (a bad chunk, too slow) was answered and
      // counted as that (`clientError` above): its own failure is not counted again.
      if (err.reason === 'bad_request' && this.framingRefused.has(req.socket)) return;
      bump(this.stats.refused, err.reason);
      this.logRefusal(err.reason, path(req));
      if (err.reason === 'method') res.setHeader('allow', 'POST');
      if (err.reason === 'too_large')
        answerTooLarge(req, res, JSON.stringify({ error: 'too_large' }), 'application/json', answered);
      else this.send(res, err.status, { error: err.reason });
    }
  }

  /**
   * Where a request's answer time starts: the connection's accept for its first request (the
   * time it waited to be read included), when Node read it for the next ones on a kept-alive
   * connection (the time between requests is the client's). Earlier than either Node cannot
   * see: the kernel's accept queue, and a kept-alive request's bytes waiting in the socket
   * while the event loop is busy (docs/webhooks.md, Metrics).
   */
  private startOf(socket: Socket): number {
    const accepted = this.accepted.get(socket);
    if (accepted === undefined) return this.deps.clock.now();
    this.accepted.delete(socket);
    return accepted;
  }

  /**
   * Refusals are counted always and logged at the 1st, 10th, 100th... of each reason: a wrong
   * secret token or a proxy that rewrites bodies shows in the log at once, and a flood of
   * forgeries cannot flood it. Only the reason, the path and the count: never a header or body.
   */
  private logRefusal(reason: Refusal, at: string): void {
    const n = this.stats.refused.get(reason)!;
    if (Math.log10(n) % 1 !== 0) return;
    this.deps.log.warn(
      { reason, path: at.slice(0, 100), refused: n },
      `webhook request refused (${reason}; ${n} so far)${REFUSAL_HINTS[reason] ? `: ${REFUSAL_HINTS[reason]}` : ''}`,
    );
  }

  /**
   * A pushed request, each check in the order Zoom's answer depends on: the app its path names,
   * the method and size, the signature and its timestamp, a replay; then what the event is, and
   * a QoS event spooled before it is answered.
   */
  private async accept(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const app = this.byPath.get(path(req));
    if (!app) throw new Refused('not_found', 404);
    if (req.method !== 'POST') throw new Refused('method', 405);
    const declared = Number(header(req, 'content-length') || 0);
    if (!(declared <= this.settings.maxBodyBytes)) throw new Refused('too_large', 413);
    const body = await this.readBody(req);
    const now = this.deps.clock.now();
    const { signature, ts, digest, seen } = this.verify(app, req, body, now);
    const { text, parsed, event } = readEvent(body);
    if (event === 'endpoint.url_validation') {
      const plain = (parsed as { payload?: { plainToken?: unknown } }).payload?.plainToken;
      if (typeof plain !== 'string' || !plain || plain.length > 1024) throw new Refused('bad_request', 400);
      bump(this.stats.events, event);
      bump(this.stats.outcomes, 'url_validation');
      this.send(res, 200, urlValidationAnswer(app.secretToken, plain));
      return;
    }
    bump(this.stats.events, isQssEvent(event) ? event : 'other');
    if (seen === 'duplicate') {
      // Its original is still being written: the answer is the original's (a 503 if that failed).
      if ((await this.appending.get(digest)) === false) throw new Refused('spool_error', 503);
      bump(this.stats.outcomes, 'duplicate');
      this.send(res, 200, { status: 'duplicate' });
      return;
    }
    if (!isQssEvent(event)) {
      bump(this.stats.outcomes, 'ignored');
      this.send(res, 200, { status: 'ignored' });
      return;
    }
    const record = { at: now, app: app.name, body: text, sig: signatureKey(signature), ts };
    const end = await this.spool(record, signature, digest);
    bump(this.stats.outcomes, 'accepted');
    this.send(res, 200, { status: 'accepted' });
    // The body parsed above goes on with the record: it is not parsed again.
    this.deps.onRecord({ record, end, parsed });
  }

  /** The request is signed by the app within `maxAgeMs` of `now`, and not a replay (a redelivery may be a duplicate). */
  private verify(
    app: WebhookApp,
    req: IncomingMessage,
    body: Buffer,
    now: number,
  ): { signature: string; ts: number; digest: string; seen: ReturnType<ReplayGuard['check']> } {
    const signature = header(req, 'x-zm-signature');
    const stamp = header(req, 'x-zm-request-timestamp');
    if (!signature || !stamp) throw new Refused('no_signature', 401);
    const ts = requestTimestampMs(stamp);
    if (ts === undefined) throw new Refused('bad_timestamp', 401);
    if (Math.abs(now - ts) > this.settings.maxAgeMs) throw new Refused('stale', 401);
    if (!signatureMatches(app.secretToken, stamp, body, signature)) throw new Refused('bad_signature', 401);
    const digest = bodyKey(body);
    const seen = this.guard.check(signature, digest, now);
    if (seen === 'replay') throw new Refused('replay', 409);
    return { signature, ts, digest, seen };
  }

  /**
   * The record appended to the spool (fsynced) before the request is answered; a redelivery that
   * comes meanwhile waits for it. Returns the spool's end after it; a failure is a 503.
   */
  private async spool(record: SpoolRecord, signature: string, digest: string): Promise<number> {
    const appended = this.deps.spool.append(record);
    this.appending.set(
      digest,
      appended.then(
        () => true,
        () => false,
      ),
    );
    let end: number;
    try {
      end = await appended;
    } catch (err) {
      // Not accepted: Zoom's retry of it must be taken as new, not answered as a duplicate.
      this.guard.forget(signature, digest);
      if (this.spoolFailures++ === 0)
        this.deps.log.error(
          { err: (err as Error).message, code: (err as NodeJS.ErrnoException).code },
          'cannot write the webhook spool; answering 503 (Zoom will retry) until it can be written again',
        );
      throw new Refused('spool_error', 503);
    } finally {
      this.appending.delete(digest);
    }
    if (this.spoolFailures) {
      this.deps.log.info({ refused: this.spoolFailures }, 'the webhook spool is written again');
      this.spoolFailures = 0;
    }
    return end;
  }

  /** The raw body, refused as soon as it grows past the limit (a missing or lying content-length). */
  private readBody(req: IncomingMessage): Promise<Buffer> {
    const limit = this.settings.maxBodyBytes;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          req.removeAllListeners('data');
          reject(new Refused('too_large', 413));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('aborted', () => reject(new Refused('bad_request', 400)));
      req.on('error', () => reject(new Refused('bad_request', 400)));
    });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.settings.port, this.settings.host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    return `${this.tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
