import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1 that records requests and answers with `reply`. */
export class TestServer {
  readonly received: Received[] = [];
  private readonly server: Server;
  url = '';

  constructor(public reply: (r: Received, res: ServerResponse) => void = (_r, res) => res.end('{}')) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.received.push(r);
        this.reply(r, res);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/**
 * Two servers: `redirecting` answers every request with a 307 to `other` named `localhost`
 * (another origin: `otherOrigin`, its path and query after it), and `other` records whether
 * anything followed it there.
 */
export class RedirectPair {
  readonly other = new TestServer();
  readonly redirecting = new TestServer((_r, res) => {
    res.writeHead(307, { location: `${this.otherOrigin}/steal?token=T` });
    res.end();
  });

  get otherOrigin(): string {
    return this.other.url.replace('127.0.0.1', 'localhost');
  }

  async listen(): Promise<void> {
    await this.other.listen();
    await this.redirecting.listen();
  }

  async close(): Promise<void> {
    await this.redirecting.close();
    await this.other.close();
  }
}
