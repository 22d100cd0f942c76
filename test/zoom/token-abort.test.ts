import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { json, TestServer } from '../helpers/http-server.js';
import { T0 } from '../helpers/sim.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a caller waiting for the shared token refresh', () => {
  it('stops waiting when its signal aborts; the refresh goes on for the others', async () => {
    // The token endpoint holds its answers until told: the daemon's stop once waited on it
    // past shutdown_timeout (the refresh ignored the caller's signal).
    const held: ServerResponse[] = [];
    server = new TestServer((_r, res) => held.push(res));
    const url = await server.listen();
    const auth = new S2SOAuth(
      { oauthUrl: `${url}/oauth/token`, accountId: 'a', clientId: 'client-1', clientSecret: 'secret-1' },
      new VirtualClock(T0),
    );
    const stop = new AbortController();
    const stopped = auth.authorize(stop.signal);
    const other = auth.authorize();
    while (held.length === 0) await new Promise((r) => setImmediate(r));
    stop.abort(new Error('shutdown timeout'));
    await expect(stopped).rejects.toThrow('shutdown timeout');
    json(held[0]!, 200, { access_token: 'tok-1', expires_in: 3600 });
    await expect(other).resolves.toMatchObject({ header: 'Bearer tok-1' });
    expect(server.received).toHaveLength(1);
    // Already aborted: no wait at all, and the cached token is still handed to others.
    await expect(auth.authorize(AbortSignal.abort(new Error('gone')))).resolves.toMatchObject({
      header: 'Bearer tok-1',
    });
  });
});
