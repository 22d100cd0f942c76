import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';

/**
 * A real forward proxy on 127.0.0.1 that tunnels (CONNECT), as a corporate proxy does for
 * https://, and refuses anything else. It resolves names itself, as a proxy does: a `.test`
 * name is this machine, so a client reaches local servers through it by a name it could not
 * resolve alone. With `credentials` ("user:password") a CONNECT without them gets 407.
 */
export class ConnectProxy {
  /** Tunnels opened (CONNECTs answered 200), and where to. */
  readonly tunnels: string[] = [];
  /** Each CONNECT's Proxy-Authorization header. */
  readonly authorizations: (string | undefined)[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly credentials?: string) {
    this.server = createServer((_req, res) => res.writeHead(405).end());
    this.server.on('connect', (req, client: Socket, head: Buffer) => {
      this.sockets.add(client);
      client.on('error', () => client.destroy());
      this.authorizations.push(req.headers['proxy-authorization']);
      const expected = credentials && `Basic ${Buffer.from(credentials).toString('base64')}`;
      if (expected && req.headers['proxy-authorization'] !== expected) {
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="t"\r\n\r\n',
        );
        return;
      }
      const target = req.url ?? '';
      const at = target.lastIndexOf(':');
      const host = target.slice(0, at);
      const upstream = connect(Number(target.slice(at + 1)), host.endsWith('.test') ? '127.0.0.1' : host);
      this.sockets.add(upstream);
      upstream.on('connect', () => {
        this.tunnels.push(target);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
      client.on('close', () => upstream.destroy());
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The proxy's URL, with `userinfo` ("user:password") in it when given. */
  url(userinfo?: string): string {
    return `http://${userinfo ? `${userinfo}@` : ''}127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
