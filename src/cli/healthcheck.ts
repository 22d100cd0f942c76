import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { isRedirect, redirectTarget } from '../util/bounded-answer.js';
import { everyInterface } from '../util/every-interface.js';
import { bracketed } from '../util/host-port.js';
import { parse } from './args.js';
import { requireConfig } from './common.js';

export const healthcheckHelp = `qoswatch healthcheck --config FILE

Asks the running qoswatch for /healthz on the address its metrics.listen names (over TLS when
metrics.web.tls_server_config is set): the container's HEALTHCHECK. Exit 0 when healthy, 1 when
not or not answering within 5 s. Only the status counts: no body is read, and a redirect is
not followed (it is said where it points).
`;

/** The address to reach a server listening on `host`: every interface means this machine. */
function reachable(host: string): string {
  const every = everyInterface(host);
  if (every) return every === 4 ? '127.0.0.1' : '[::1]';
  return bracketed(host);
}

export async function healthcheck(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  const { metrics } = requireConfig(values.config, { notifiersOnly: true });
  const url = `${metrics.tls ? 'https' : 'http'}://${reachable(metrics.host)}:${metrics.port}/healthz`;
  const { status, said } = await new Promise<{ status: number; said: string }>((resolve) => {
    // The certificate is the daemon's own, often self-signed: this checks health, not identity.
    const req = (metrics.tls ? httpsGet : httpGet)(
      url,
      { timeout: 5000, rejectUnauthorized: false },
      (res) => {
        // Only the status counts: the body is not read (one that never ended kept the check
        // running for good), and a redirect is not followed, but said.
        res.destroy();
        const code = res.statusCode ?? 0;
        const to = isRedirect(code)
          ? `, ${redirectTarget(res.headers.location, url)}; redirects are not followed`
          : '';
        resolve({ status: code, said: `HTTP ${code}${to}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, said: 'no answer' }));
  });
  process.stdout.write(`${url}: ${said}\n`);
  return status === 200 ? 0 : 1;
}
