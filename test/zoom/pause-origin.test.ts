import { afterEach, describe, expect, it } from 'vitest';
import { rateLimited } from '../../src/poll/rate-limit-pause.js';
import type { PollSource } from '../../src/poll/source.js';
import { VirtualClock } from '../../src/util/clock.js';
import { LogOnce } from '../../src/util/log-once.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS, liveRange } from '../../src/zoom/endpoints.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { json, TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { T0 } from '../helpers/sim.js';

/**
 * Outside tester hT40 (stop 40, LOW): a 429 without Retry-After paused the live list one window
 * (60 s, right) but said "pauses these calls until 07:39:08Z (its 429's Retry-After)": a reader
 * looked for a header Zoom never sent. Each message about a pause now says where its wait came
 * from. Old code: every case below said "(its 429's Retry-After)" (the poll's "(a 429's ...)").
 */
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The live meeting list (Resource-intensive: a 60 s window, past the 30 s a call waits) refused by one 429 with `headers`. */
async function pausedBy(headers: Record<string, string>) {
  const clock = new VirtualClock(T0);
  server = new TestServer((r, res) => {
    res.sendDate = false; // the Retry-After date is read against the client's clock alone
    if (r.path.startsWith('/oauth')) return json(res, 200, { access_token: 't', expires_in: 3600 });
    json(res, 429, { code: 429, message: 'You have exceeded the rate limit.' }, headers);
  });
  const url = await server.listen();
  const auth = new S2SOAuth(
    { oauthUrl: `${url}/oauth`, accountId: 'a', clientId: 'b', clientSecret: 'c' },
    clock,
  );
  const client = new ZoomClient({ apiUrl: url, auth, limits: PLAN_DEFAULTS.business, dailyShare: 1, clock });
  const err = await client
    .get(ENDPOINTS.meetings, {}, { type: 'live', ...liveRange(clock.now()) })
    .catch((e: unknown) => e);
  expect(isZoomError(err, 'ZOOM_RATE_LIMITED')).toBe(true);
  const { log, lines } = captureLog();
  const source = { kind: 'meeting', client } as Pick<PollSource, 'kind' | 'client'> as PollSource;
  expect(rateLimited(source, 'Resource-intensive', new LogOnce(log, () => clock.now()))).toBe(true);
  return {
    message: (err as Error).message,
    pollLine: lines[0]!.msg,
    pause: client.pause('Resource-intensive'),
  };
}

const at = (ms: number): string => new Date(T0 + ms).toISOString();

describe("a 429's pause says where its wait came from", () => {
  it.each<{ name: string; headers: Record<string, string>; untilMs: number; origin: string }>([
    {
      name: 'no Retry-After: one window',
      headers: {},
      untilMs: 60_000,
      origin: 'one window of the category; the 429 gave no Retry-After',
    },
    {
      name: 'an unreadable Retry-After: one window',
      headers: { 'retry-after': 'soon' },
      untilMs: 60_000,
      origin:
        "one window of the category; the 429's Retry-After asks for no wait (unreadable, or a time already past)",
    },
    {
      name: 'a Retry-After in seconds',
      headers: { 'retry-after': '120' },
      untilMs: 120_000,
      origin: "the 429's Retry-After: 120 s",
    },
    {
      name: 'a Retry-After date',
      headers: { 'retry-after': at(90_000) },
      untilMs: 90_000,
      origin: "the 429's Retry-After date",
    },
    {
      name: 'a Retry-After past the cap',
      headers: { 'retry-after': '99999', 'x-ratelimit-type': 'QPS' },
      untilMs: 300_000,
      origin: "the 429's Retry-After, cut to 5 minutes",
    },
  ])('$name', async ({ headers, untilMs, origin }) => {
    const { message, pollLine, pause } = await pausedBy(headers);
    expect(pause).toEqual({ until: T0 + untilMs, origin, category: 'Resource-intensive' });
    expect(message).toBe(
      `meetings: Zoom's Resource-intensive rate limit pauses these calls until ${at(untilMs)} (${origin}); not sent, asked again then`,
    );
    expect(pollLine).toBe(
      `Zoom's Resource-intensive rate limit pauses those calls until ${at(untilMs)} (${origin}): what needs them waits for a later cycle, the rest goes on`,
    );
  });
});
