import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth, type AuthProvider } from '../../src/zoom/auth.js';
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

describe('a credential of another scheme echoed without it', () => {
  it('is hidden as a Bearer token is: the scheme is not part of what is hidden', async () => {
    // Old code (zoom/hide-tokens.ts credentialOf stripped only `Bearer `): the whole `Token …`
    // header was the one value hidden, so its credential quoted alone was shown:
    // "Zoom answered HTTP 400 code 124: credential tok-secret-77-1796432712380 not known".
    const header = 'Token tok-secret-77-1796432712380';
    server = new TestServer((r, res) =>
      json(res, 400, {
        code: 124,
        message: `credential ${r.headers.authorization?.split(' ')[1] ?? ''} not known`,
      }),
    );
    const url = await server.listen();
    // An AuthProvider of its own: the client's documented way to carry any Authorization header.
    const auth: AuthProvider = { authorize: () => Promise.resolve({ header }), invalidate: () => undefined };
    const client = new ZoomClient({
      apiUrl: url,
      auth,
      limits: PLAN_DEFAULTS.business,
      dailyShare: 1,
      clock: new VirtualClock(T0),
      maxRetries: 0,
    });
    const err = await failure(client.get(ENDPOINTS.meetings, {}, { type: 'live' }));
    expect(err.message).toBe(
      'meetings: Zoom answered HTTP 400 code 124: credential [access token] not known',
    );
  });
});
