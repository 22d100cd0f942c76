import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { json, TestServer, type Received } from '../helpers/http-server.js';
import { loggedText } from '../helpers/log.js';
import { T0 } from '../helpers/sim.js';

// Zoom (or a proxy in front of it) may put the caller's Authorization value into an error's
// `message`: the daemon logged `meetings: Zoom answered HTTP 400 code 124: Invalid access token
// Bearer tok-1796432712380 tok-1796432712380` for every endpoint.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A token endpoint handing out tok-secret-1, -2... and an API answering each call with `api`. */
async function zoomEchoing(api: (r: Received, issued: string[]) => [number, unknown]): Promise<{
  client: ZoomClient;
  issued: string[];
}> {
  const issued: string[] = [];
  server = new TestServer((r, res) => {
    if (r.path.startsWith('/oauth/token')) {
      issued.push(`tok-secret-${issued.length + 1}-1796432712380`);
      return json(res, 200, { access_token: issued.at(-1), token_type: 'bearer', expires_in: 3600 });
    }
    const [status, body] = api(r, issued);
    json(res, status, body);
  });
  const url = await server.listen();
  const clock = new VirtualClock(T0);
  const auth = new S2SOAuth(
    {
      oauthUrl: `${url}/oauth/token`,
      accountId: 'acct-1',
      clientId: 'client-1',
      clientSecret: 'test-secret',
    },
    clock,
  );
  const client = new ZoomClient({
    apiUrl: url,
    auth,
    limits: PLAN_DEFAULTS.business,
    dailyShare: 1,
    clock,
    maxRetries: 0,
  });
  return { client, issued };
}

const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('the call succeeded');
    },
    (err: unknown) => err as Error,
  );

describe("an access token echoed in Zoom's error message", () => {
  it('is hidden in the error thrown and in the line logged of it, for every endpoint', async () => {
    const { client, issued } = await zoomEchoing((r) => {
      const auth = r.headers.authorization ?? '';
      return [400, { code: 124, message: `Invalid access token ${auth} ${auth.replace('Bearer ', '')}` }];
    });
    const calls = [
      () => client.get(ENDPOINTS.meetings, {}, { type: 'live' }),
      () => client.get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 }),
    ];
    for (const call of calls) {
      const err = await failure(call());
      const logged = loggedText((log) => log.warn({ err: err.message }, 'poll failed'));
      for (const text of [err.message, String(err.stack), logged]) {
        expect(text).toContain(
          'Zoom answered HTTP 400 code 124: Invalid access token Bearer [access token] [access token]',
        );
        expect(text).not.toContain('1796432712380');
      }
    }
    expect(issued).toHaveLength(1);
  });

  it('the one before a refused token is hidden too', async () => {
    const { client, issued } = await zoomEchoing((_r, tokens) =>
      tokens.length === 1
        ? [401, { code: 124, message: 'Invalid access token.' }]
        : [400, { code: 300, message: `neither ${tokens[0]!} nor Bearer ${tokens[1]!} will do` }],
    );
    const err = await failure(client.get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 }));
    expect(issued).toHaveLength(2);
    expect(err.message).toBe(
      'meeting_qos: Zoom answered HTTP 400 code 300: neither [access token] nor Bearer [access token] will do',
    );
  });
});
