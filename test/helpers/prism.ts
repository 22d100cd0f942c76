import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromRoot } from '../../src/util/package-root.js';
import { startOnPortZero } from './listening-child.js';

/** One `sl-violations` entry: what Prism found wrong with a request. */
export interface Violation {
  location: string[];
  severity: string;
  code?: string;
  message: string;
}

export interface PrismMock {
  /** Base URL of the proxy in front of Prism (token endpoint at /oauth/token, API under /v2). */
  url: string;
  /** Every API request the proxy passed on: path with query, status, Prism's violations. */
  requests: { path: string; status: number; violations: Violation[] }[];
  close: () => Promise<void>;
}

const PRISM = fromRoot('node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

/**
 * Zoom's Meeting API as Prism mocks it from the OpenAPI file (static examples, request
 * validation on), behind a small proxy that adds what the spec does not describe: the OAuth
 * token endpoint, and the `/v2` prefix of Zoom's server URL. The proxy records Prism's
 * `sl-violations` header for every request.
 */
export async function startPrism(specFile: string): Promise<PrismMock> {
  // On port 0, the port read back from what Prism prints: none picked beforehand for another test to take.
  const { child, url: prismUrl } = await startOnPortZero(
    process.execPath,
    [PRISM, 'mock', '-h', '127.0.0.1', '-p', '0', specFile],
    /Prism is listening on (http:\/\/[\d.]+:\d+)/,
  );
  const { port } = new URL(prismUrl);
  const requests: PrismMock['requests'] = [];
  let base = '';
  const proxy: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/oauth/token')) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: 'prism-token',
          token_type: 'bearer',
          expires_in: 3600,
          api_url: base,
        }),
      );
      return;
    }
    const path = url.replace(/^\/v2(?=\/)/, '');
    const upstream = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: req.method,
        headers: { ...req.headers, host: `127.0.0.1:${port}` },
      },
      (up) => {
        const raw = up.headers['sl-violations'];
        const violations = typeof raw === 'string' ? (JSON.parse(raw) as Violation[]) : [];
        requests.push({ path, status: up.statusCode ?? 0, violations });
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill();
      await exited;
    },
  };
}
