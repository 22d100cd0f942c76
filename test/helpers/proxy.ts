import type { ServerResponse } from 'node:http';
import { TestServer, type Received } from './http-server.js';

/**
 * A real HTTP proxy in front of the simulator: every request is forwarded as it came, and the
 * answer's text goes through `rewrite` (the token's `api_url` is pointed back at the proxy, so
 * API calls come through it too). `hold` may keep a request back: it gets the forwarding step
 * to run when the test decides. `answer` may answer a request itself (status and body), as Zoom
 * might where the simulator would not.
 */
export async function simProxy(
  target: string,
  o: {
    rewrite?: (text: string, r: Received) => string;
    /** The `Date` passed on in place of Zoom's (a proxy's clock). */
    redate?: (date: string | null, r: Received) => string | null;
    hold?: (r: Received, forward: () => void) => boolean;
    answer?: (r: Received) => { status: number; body: string } | undefined;
  } = {},
): Promise<TestServer> {
  const proxy: TestServer = new TestServer((r: Received, res: ServerResponse) => {
    const own = o.answer?.(r);
    if (own) {
      res.writeHead(own.status, { 'content-type': 'application/json' });
      res.end(own.body);
      return;
    }
    const forward = (): void => {
      void fetch(`${target}${r.path}`, {
        method: r.method,
        headers: {
          authorization: r.headers.authorization ?? '',
          'content-type': r.headers['content-type'] ?? 'application/json',
        },
        ...(r.method === 'POST' ? { body: r.body } : {}),
      }).then(async (answer) => {
        const text = (await answer.text()).split(target).join(proxy.url);
        const zoomDate = answer.headers.get('date');
        const date = o.redate ? o.redate(zoomDate, r) : zoomDate;
        // Zoom's Date (the simulator's clock) and rate-limit headers passed on, as a proxy does.
        const limits = [...answer.headers].filter(
          ([k]) => k === 'retry-after' || k.startsWith('x-ratelimit-'),
        );
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          ...Object.fromEntries(limits),
          ...(date ? { date } : {}),
        });
        res.end(o.rewrite ? o.rewrite(text, r) : text);
      });
    };
    if (!o.hold?.(r, forward)) forward();
  });
  await proxy.listen();
  return proxy;
}
