import { readFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcryptjs';

export interface HttpReply {
  status: number;
  body: string;
  type?: string;
}

export type HttpRoutes = Record<string, (req: IncomingMessage) => HttpReply | Promise<HttpReply>>;

/** Like Prometheus's exporter web config: TLS files and basic-auth users with bcrypt hashes. */
export interface WebOptions {
  tls?: { certFile: string; keyFile: string };
  basicAuthUsers?: Record<string, string>;
  /** Paths served without auth (the container's liveness probe). */
  open?: string[];
}

const MAX_BODY = 16 * 1024;

/**
 * The daemon's HTTP endpoint (`metrics.listen`). GET and HEAD only (405 otherwise), no request
 * bodies (413 over 16 KiB), bounded header and request times, optional basic auth and TLS.
 */
export class HttpServer {
  private readonly server: Server;
  /** bcrypt is slow on purpose; a password once checked is remembered (by its hash) so scrapes stay cheap. */
  private readonly verified = new Set<string>();
  readonly tls: boolean;

  constructor(
    private readonly routes: HttpRoutes,
    private readonly web: WebOptions = {},
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.tls = !!web.tls;
    this.server = web.tls
      ? createHttps({ cert: readFileSync(web.tls.certFile), key: readFileSync(web.tls.keyFile) }, handler)
      : createHttp(handler);
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
    this.server.keepAliveTimeout = 5_000;
  }

  private async authorized(req: IncomingMessage, path: string): Promise<boolean> {
    const users = this.web.basicAuthUsers;
    if (!users || !Object.keys(users).length || this.web.open?.includes(path)) return true;
    const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = users[user];
    if (colon < 0 || !hash) return false;
    const key = `${user}\u0000${hash}\u0000${password}`;
    if (this.verified.has(key)) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) this.verified.add(key);
    return ok;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      this.send(res, 413, 'request too large\n');
      return;
    }
    if (!(await this.authorized(req, path))) {
      res.setHeader('www-authenticate', 'Basic realm="qoswatch"');
      this.send(res, 401, 'unauthorized\n');
      return;
    }
    const route = this.routes[path];
    if (!route) {
      this.send(res, 404, 'not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      this.send(res, 405, 'method not allowed\n');
      return;
    }
    try {
      const r = await route(req);
      this.send(res, r.status, req.method === 'HEAD' ? '' : r.body, r.type);
    } catch (err) {
      this.send(res, 500, `internal error: ${(err as Error).message}\n`);
    }
  }

  private send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    return `${this.tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
