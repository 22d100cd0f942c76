import { afterEach, describe, expect, it } from 'vitest';
import { isZoomError } from '../../src/zoom/errors.js';
import { loggedS2S, meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => {
  await h.close();
});

/**
 * A token answer whose access_token an Authorization header cannot carry. Old code: the token
 * was cached for its whole life, every call threw in fetch before it left (`network error
 * (TypeError)`), each one charged to the daily budget, and a fixed token endpoint was not asked
 * again until expires_in ran out.
 */
describe("a token answer whose access_token cannot be sent as a header (Zoom's simulator over HTTP)", () => {
  const cases: [string, unknown, string][] = [
    ['a line break', 'X\r\nY', 'a string of 4 characters holding a control character or line break'],
    ['a NUL byte', 'abc\u0000def', 'a string of 7 characters holding a control character or line break'],
    ['a euro sign', 'abc€', 'a string of 4 characters holding a character beyond ASCII'],
    ['a space', 'abc def', 'a string of 7 characters holding a space'],
    // Its type only (the old code: "the number 12345", the token itself).
    ['a number', 12345, 'a number, not a string'],
    ['a list', ['abc'], 'a list, not a string'],
  ];

  it.each(cases)(
    '%s: refused as it arrives (ZOOM_BAD_RESPONSE), nothing sent or charged, a new token asked for at the next call',
    async (_name, token, what) => {
      h = await startSim({ meetings: [meetingWith(2)] });
      h.sim.editTokenAnswers((a) => ({ ...a, access_token: token, expires_in: 86_400 }));
      const { client, lines, call } = loggedS2S(h, { maxRetries: 0 }, 's3cr3t');
      for (let i = 0; i < 3; i++) {
        const err: unknown = await call().catch((e: unknown) => e);
        expect(isZoomError(err, 'ZOOM_BAD_RESPONSE')).toBe(true);
        expect((err as Error).message).toBe(
          `Zoom's token endpoint answered an access_token that is ${what}, which an Authorization header cannot carry (visible ASCII only): not used; the daemon asks again at its next call; a one-shot command (report, inspect, once) stops here: run it again later, and if it persists check zoom.oauth_url and the network to it`,
        );
      }
      expect(h.sim.tokensIssued).toBe(3); // asked again at each call, not kept for a day
      expect(h.sim.apiRequests()).toBe(0);
      expect(client.budget.usedToday()).toBe(0);
      expect(client.stats.total({})).toBe(0);
      // The token endpoint is fixed: the next call works at once.
      h.sim.editTokenAnswers((a) => a);
      expect((await call()).participants).toHaveLength(2);
      expect(h.sim.tokensIssued).toBe(4);
      expect(client.budget.usedToday()).toBe(1);
      expect(JSON.stringify(lines)).not.toContain('s3cr3t');
    },
  );

  // The old code: "Zoom's token endpoint failed (HTTP 200)", as if the endpoint had broken.
  it.each([
    ['missing', undefined],
    ['null', null],
    ['an empty string', ''],
  ])('an access_token %s: said so (ZOOM_BAD_RESPONSE), asked again at the next call', async (what, token) => {
    h = await startSim({ meetings: [meetingWith(2)] });
    h.sim.editTokenAnswers((a) => ({ ...a, access_token: token }));
    const { call } = loggedS2S(h, { maxRetries: 0 });
    const err: unknown = await call().catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_BAD_RESPONSE')).toBe(true);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^Zoom's token endpoint answered HTTP 200 without a token: its access_token is ${what}; the daemon asks again at its next call;`,
      ),
    );
    expect(h.sim.apiRequests()).toBe(0);
    h.sim.editTokenAnswers((a) => a);
    expect((await call()).participants).toHaveLength(2);
  });

  it('a JWT-like token of visible ASCII is used as it is', async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    const { call } = loggedS2S(h, { maxRetries: 0 });
    h.sim.editTokenAnswers((a) => ({ ...a, access_token: `${String(a.access_token)}~+/=` }));
    // The simulator does not know the edited token: a 401, then a second token, then a 401 again.
    const err: unknown = await call().catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_AUTH_FAILED')).toBe(true);
    expect(h.sim.apiRequests()).toBe(2);
  });
});
