import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { answerClientError, answerConnect, requestTimeouts } from '../util/client-error.js';
import { hostPort } from '../util/host-port.js';
import { opensslReason } from '../util/tls-pair.js';
import { answerTooLarge } from '../util/too-large.js';
import { BasicAuth } from './basic-auth.js';
import type { BodyPiece } from './collectors/utf8-chunks.js';
import { readTlsFile } from '../util/secret-file.js';
import { ConnectionGuard, type ConnectionLimits, type GuardStats } from '../util/connection-guard.js';

export interface HttpReply {
  status: number;
  /**
   * The body, or its pieces in order, text or UTF-8 bytes (written one by one: never joined
   * into one string here).
   */
  body: string | readonly BodyPiece[];
  type?: string;
  headers?: Record<string, string>;
}

/**
 * Handlers by exact path; a key ending in `/*` takes every path under it (the handler gets
 * the rest of the path, still percent-encoded, and must check it).
 */
export type HttpRoutes = Record<
  string,
  (req: IncomingMessage, rest: string) => HttpReply | Promise<HttpReply>
>;

/** The handler of `path`, exact first, then the longest `/*` prefix; and the rest of the path. */
function findRoute(routes: HttpRoutes, path: string): [HttpRoutes[string], string] | undefined {
  if (Object.hasOwn(routes, path)) return [routes[path]!, ''];
  let best: string | undefined;
  for (const key of Object.keys(routes))
    if (key.endsWith('/*') && path.startsWith(key.slice(0, -1)) && path.length > key.length - 1)
      if (!best || key.length > best.length) best = key;
  return best ? [routes[best]!, path.slice(best.length - 1)] : undefined;
}

/** Connection time limits, in milliseconds; the defaults suit a scraper on a LAN. */
export interface HttpTimeouts {
  /** A TLS handshake must finish within this. Default 5 s. */
  handshakeMs: number;
  /** A request's headers must arrive within this after the connection opens. Default 5 s. */
  headersMs: number;
  /** A whole request must arrive within this. Default 10 s. */
  requestMs: number;
  /** A kept-alive connection with no request is closed after this. Default 5 s. */
  keepAliveMs: number;
  /** Any connection silent for this long is closed, whatever state it is in. Default 30 s. */
  idleMs: number;
}

/** Like Prometheus's exporter web config: TLS files and basic-auth users with bcrypt hashes. */
export interface WebOptions {
  tls?: { certFile: string; keyFile: string };
  basicAuthUsers?: Record<string, string>;
  /** Paths served without auth (the container's liveness probe). */
  open?: string[];
  log?: Logger;
  /** The clock for the failed-login rate limit and the verified-credentials cache. */
  now?: () => number;
  timeouts?: Partial<HttpTimeouts>;
  /** Tuning of the basic-auth guards (see BasicAuth); tests make them small. */
  auth?: { burst?: number; refillMs?: number; concurrency?: number; maxQueued?: number; cacheTtlMs?: number };
  /** What clients can make the server hold (ConnectionGuard); tests make them small. */
  limits?: Partial<ConnectionLimits>;
}

const MAX_BODY = 16 * 1024;
const TEXT = 'text/plain; charset=utf-8';
const DEFAULT_TIMEOUTS: HttpTimeouts = {
  handshakeMs: 5_000,
  headersMs: 5_000,
  requestMs: 10_000,
  keepAliveMs: 5_000,
  idleMs: 30_000,
};
/** A scraper or two, a few probes and people's browsers, with room to spare. */
const DEFAULT_LIMITS: ConnectionLimits = { maxConnections: 64, maxPipelined: 16, flushMs: 30_000 };

/**
 * The daemon's HTTP endpoint (`metrics.listen`). GET and HEAD only (405 otherwise), no request
 * bodies (413 over 16 KiB), bounded handshake, header, request and idle times on HTTP and TLS
 * alike, optional basic auth (see BasicAuth) and TLS, and bounds on what clients can make it
 * hold (ConnectionGuard: one answer at a time per connection, 64 connections). A failing
 * handler answers 500 and is logged; no request can take the process down.
 */
export class HttpServer {
  private readonly server: Server;
  readonly auth: BasicAuth | undefined;
  readonly tls: boolean;
  private readonly log: Logger | undefined;
  private readonly guard: ConnectionGuard;

  constructor(
    private readonly routes: HttpRoutes,
    private readonly web: WebOptions = {},
  ) {
    this.log = web.log;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.guard.turn(req, res).then(async (go) => {
        if (go) await this.handle(req, res).catch((err: unknown) => this.failed(req, res, err));
      });
    };
    const t = { ...DEFAULT_TIMEOUTS, ...web.timeouts };
    const http = requestTimeouts(t);
    this.tls = !!web.tls;
    // node:https (with node:tls) only with TLS: loading it took 10-60 ms of every start-up.
    this.server = web.tls
      ? process.getBuiltinModule('node:https').createServer(
          {
            ...http,
            cert: readTlsFile(web.tls.certFile, 'cert_file'),
            key: readTlsFile(web.tls.keyFile, 'key_file'),
            handshakeTimeout: t.handshakeMs,
          },
          handler,
        )
      : createHttp(http, handler);
    this.guard = new ConnectionGuard(this.server, { ...DEFAULT_LIMITS, ...web.limits });
    this.server.setTimeout(t.idleMs, (socket) => socket.destroy());
    // Bad framing is answered 400 (431, 413, 408) as the webhook receiver answers it.
    this.server.on('clientError', (err, socket) => answerClientError(err, socket));
    this.server.on('connect', (_req, socket) => answerConnect(socket, 'GET, HEAD'));
    // Node does not apply the idle timeout above to TLS connections: do it on each one.
    if (web.tls)
      this.server.on('secureConnection', (socket: TLSSocket) => {
        socket.setTimeout(t.idleMs);
        socket.once('timeout', () => socket.destroy());
      });
    const users = web.basicAuthUsers ?? {};
    this.auth = Object.keys(users).length
      ? new BasicAuth(users, {
          now: web.now ?? Date.now,
          ...(this.log ? { log: this.log } : {}),
          ...web.auth,
        })
      : undefined;
  }

  /** Connections open, requests waiting, bytes buffered, and connections closed by the limits. */
  get connections(): GuardStats {
    return this.guard.stats;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      this.send(res, 400, 'bad request\n');
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      answerTooLarge(req, res, 'request too large\n', TEXT);
      return;
    }
    if (this.auth && !this.web.open?.includes(path)) {
      const outcome = await this.auth.check(req.headers.authorization, req.socket.remoteAddress ?? '');
      if (outcome.status === 429) {
        res.setHeader('retry-after', String(outcome.retryAfterSeconds));
        this.send(
          res,
          429,
          outcome.why === 'busy' ? 'too many logins waiting\n' : 'too many failed logins\n',
        );
        return;
      }
      if (outcome.status === 401) {
        res.setHeader('www-authenticate', 'Basic realm="qoswatch"');
        this.send(res, 401, 'unauthorized\n');
        return;
      }
    }
    const found = findRoute(this.routes, path);
    if (!found) {
      this.send(res, 404, 'not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      this.send(res, 405, 'method not allowed\n');
      return;
    }
    const r = await found[0](req, found[1]);
    this.send(res, r.status, req.method === 'HEAD' ? '' : r.body, r.type, r.headers);
  }

  /** A handler failed: log it, answer 500 if nothing was sent yet, else cut the connection. */
  private failed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    this.log?.error(
      { err: err instanceof Error ? err.message : String(err), method: req.method, path: req.url },
      'HTTP request failed; answered 500',
    );
    if (res.headersSent) res.destroy();
    else this.send(res, 500, 'internal error\n');
  }

  private send(
    res: ServerResponse,
    status: number,
    body: string | readonly BodyPiece[],
    type = TEXT,
    headers: Record<string, string> = {},
  ): void {
    const head = { ...headers, 'content-type': type, 'cache-control': 'no-store' };
    if (typeof body === 'string') {
      res.writeHead(status, head);
      res.end(body);
      return;
    }
    // Pieces (a scrape's): their length summed and each written as it is, in one write to the
    // socket (corked; end() uncorks). One string of them all would be flattened and encoded
    // whole: 9 MB at 5,000 participants cost more than rendering it (issue 16).
    let length = 0;
    for (const piece of body) length += Buffer.byteLength(piece);
    res.writeHead(status, { ...head, 'content-length': String(length) });
    res.cork();
    for (const piece of body) if (piece) res.write(piece);
    res.end();
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // After start-up, a server error (rare: EMFILE on accept) is logged, never thrown.
    this.server.on('error', (err) => this.log?.error({ err: err.message }, 'HTTP server error'));
    const a = this.server.address() as AddressInfo;
    return `${this.tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Why the endpoint could not start, in one line that names the setting and what is expected. */
export function listenProblem(
  err: unknown,
  m: { host: string; port: number; tls?: { certFile: string; keyFile: string } },
): string {
  const e = err as NodeJS.ErrnoException;
  const at = hostPort(m.host, m.port);
  const binding = e.syscall === 'listen' || e.syscall === 'bind' || e.syscall === 'getaddrinfo';
  if (binding)
    switch (e.code) {
      case 'EADDRINUSE':
        return `metrics.listen ${at} is in use by another program (EADDRINUSE); expected a free port`;
      case 'EACCES':
        return `metrics.listen ${at}: not permitted (EACCES); expected a port above 1023, or the right to bind below it`;
      case 'EADDRNOTAVAIL':
      case 'ENOTFOUND':
        return `metrics.listen ${at}: no such address on this machine (${e.code}); expected an address of this host, or 0.0.0.0`;
    }
  if (m.tls && !binding)
    return (
      `metrics.web.tls_server_config: cannot use ${m.tls.certFile} and ${m.tls.keyFile} ` +
      `(${opensslReason(err)}); expected a PEM certificate and its private key`
    );
  return `metrics.listen ${at}: ${e.message}`;
}
