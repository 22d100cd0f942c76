import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { isZoomError, type ZoomError } from '../../src/zoom/errors.js';
import { TestServer } from '../helpers/http-server.js';
import { loggedS2S, meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness | undefined;
const servers: TestServer[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const AGAIN =
  'the daemon asks again at its next call; a one-shot command (report, inspect, once) stops here: run it again later, and if it persists check zoom.oauth_url and the network to it';

/** An S2S OAuth client of a token endpoint on 127.0.0.1 that answers as `answer` does. */
async function tokenEndpoint(answer: ConstructorParameters<typeof TestServer>[0]): Promise<S2SOAuth> {
  const server = new TestServer(answer);
  servers.push(server);
  await server.listen();
  return new S2SOAuth(
    { oauthUrl: `${server.url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: 's3cr3t' },
    new VirtualClock(0),
  );
}

/**
 * The token endpoint's answer, bounded as every other answer of Zoom's is: read to 64 KiB at most
 * and its JSON within a token answer's bounds before it is parsed. It was read to 32 MiB and
 * parsed whole (a 1 MB answer with a token in it was taken; a 40 MB one was "cannot reach Zoom's
 * token endpoint: UND_ERR_RES_EXCEEDED_MAX_SIZE"). Its error quotes none of it: the answer holds
 * the token, and may echo the client secret.
 */
describe("a token answer larger than any of Zoom's (the simulator over HTTP)", () => {
  const cases: [string, (a: Record<string, unknown>) => Record<string, unknown>, string][] = [
    [
      '1 MB, a token in it',
      (a) => ({ ...a, scope: `s3cr3t ${String(a.access_token)} `.repeat(20_000) }),
      'is larger than 64 KiB',
    ],
    ['40 MB', (a) => ({ ...a, scope: 'x'.repeat(40_000_000), echoed: 's3cr3t' }), 'is larger than 64 KiB'],
    [
      'of 1,000 keys (20 KB), a token among them',
      (a) => ({ ...a, ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 's3cr3t'])) }),
      '(HTTP 200) holds an object of more than 64 keys',
    ],
    [
      'nested 10 deep',
      (a) => ({ ...a, x: JSON.parse(`${'['.repeat(10)}"s3cr3t"${']'.repeat(10)}`) as unknown }),
      '(HTTP 200) nests deeper than 4 levels',
    ],
  ];

  it.each(cases)(
    '%s: refused (ZOOM_BAD_RESPONSE) without a word of it, no call sent; a good answer next is taken',
    async (_name, edit, what) => {
      const hs = (h = await startSim({ meetings: [meetingWith(2)] }));
      const tokens: string[] = [];
      hs.sim.editTokenAnswers((a) => {
        tokens.push(String(a.access_token));
        return edit(a);
      });
      const { client, lines, call } = loggedS2S(hs, { maxRetries: 0 }, 's3cr3t');
      const err: unknown = await call().catch((e: unknown) => e);
      expect(isZoomError(err, 'ZOOM_BAD_RESPONSE')).toBe(true);
      const message = (err as Error).message;
      expect(message).toBe(
        `Zoom's token endpoint's answer ${what}, more than a token answer can: not read; ${AGAIN}`,
      );
      const said = `${message} ${JSON.stringify(lines)} ${JSON.stringify(err)}`;
      expect(said).not.toContain('s3cr3t');
      expect(said).not.toContain(tokens[0]!);
      expect(hs.sim.apiRequests()).toBe(0);
      expect(client.budget.usedToday()).toBe(0);
      hs.sim.editTokenAnswers((a) => a);
      expect((await call()).participants).toHaveLength(2);
    },
    30_000,
  );
});

/**
 * A token answer past 64 KiB that is not a 200 is its status, its body as if empty: a proxy's
 * 502 page of 100 KB is the endpoint failing (retried as such), not a token answer too large.
 */
describe("a token endpoint's error past 64 KiB is read by its status", () => {
  const page = `<html><body>${'s3cr3t '.repeat(15_000)}</body></html>`;

  it.each([
    ['a 502 of 100 KB, sent without a length', 502, false],
    ['a 503 of 100 KB, its length declared', 503, true],
  ])('%s: "failed (HTTP 5xx)", retryable; a good answer next is taken', async (_name, status, declared) => {
    let calls = 0;
    const auth = await tokenEndpoint((_r, res) => {
      if (calls++ > 0) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"access_token":"tok","token_type":"bearer","expires_in":3600}');
      }
      res.writeHead(status, {
        'content-type': 'text/html',
        ...(declared ? { 'content-length': page.length } : {}),
      });
      res.end(page);
    });
    const err = (await auth.authorize().catch((e: unknown) => e)) as ZoomError;
    expect(isZoomError(err, 'ZOOM_HTTP_ERROR'), String(err)).toBe(true);
    expect(err.message).toBe(`Zoom's token endpoint failed (HTTP ${status}); ${AGAIN}`);
    expect(err.details).toMatchObject({ status, retryable: true });
    expect(await auth.authorize()).toMatchObject({ header: 'Bearer tok' });
  });
});

/** An error answer within 64 KiB but past a token answer's bounds is its status too (hT44b, after a9b15cc). */
describe("a token endpoint's error past a token answer's bounds is read by its status", () => {
  const deep = `${'['.repeat(10)}"s3cr3t"${']'.repeat(10)}`;

  it.each([
    [401, 'ZOOM_AUTH_FAILED', false],
    [503, 'ZOOM_HTTP_ERROR', true],
  ] as const)('HTTP %i nested 10 deep: %s, its body not quoted', async (status, code, retryable) => {
    const auth = await tokenEndpoint((_r, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(deep);
    });
    const err = (await auth.authorize().catch((e: unknown) => e)) as ZoomError;
    // Was ZOOM_BAD_RESPONSE, retried: a deep 401 never said the credentials were refused.
    expect(isZoomError(err, code), String(err)).toBe(true);
    expect(err.details).toMatchObject({ status, retryable });
    expect(err.message).not.toContain('s3cr3t');
  });
});
