import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpRoutes {
  /** Path -> handler; each answers GET only. */
  [path: string]: (
    req: IncomingMessage,
  ) =>
    | { status: number; body: string; type?: string }
    | Promise<{ status: number; body: string; type?: string }>;
}

/**
 * The daemon's HTTP endpoint (`metrics.listen`): /healthz and /readyz today, /metrics and the
 * API as they arrive. GET only; bounded time per request.
 */
export class HttpServer {
  private readonly server: Server;

  constructor(private readonly routes: HttpRoutes) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
    this.server.keepAliveTimeout = 5_000;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
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
      this.send(res, r.status, r.body, r.type);
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
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
