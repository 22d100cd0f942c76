import { afterEach, describe, expect, it } from 'vitest';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const post = (body: string): Promise<Response> => fetch(`${h!.url}/_sim/faults`, { method: 'POST', body });

async function qos(): Promise<Response> {
  const t = await fetch(`${h!.url}/oauth/token?grant_type=account_credentials&account_id=a`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('c:s').toString('base64')}` },
  });
  const { access_token } = (await t.json()) as { access_token: string };
  return fetch(`${h!.url}/v2/metrics/meetings/85000000001/participants/qos`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
}

describe('POST /_sim/faults (tester hT41b LOW: snake_case keys were ignored silently)', () => {
  it("takes a fault in a scenario's spelling: retry_after and rate_limit_category are answered", async () => {
    h = await startSim({ meetings: [meetingWith(1)] });
    const r = await post(
      '{"kind":"429","path":"qos","retry_after":"99999999999","rate_limit_category":"Resource-intensive","delay":"2s","times":1}',
    );
    expect(r.status).toBe(200);
    const res = await qos();
    expect(res.status).toBe(429);
    // The old code: a Retry-After of 1 and no category (both keys ignored).
    expect(res.headers.get('retry-after')).toBe('99999999999');
    expect(res.headers.get('x-ratelimit-category')).toBe('Resource-intensive');
    expect((await qos()).status).toBe(200); // times: 1
  });

  it('refuses unknown keys (camelCase among them) and bad values with a 400 that names them, adding nothing', async () => {
    h = await startSim({ meetings: [meetingWith(1)] });
    const cases: [string, string][] = [
      [
        '{"kind":"429","retryAfter":"5","rateLimitCategory":"Heavy"}',
        'unknown keys "retryAfter", "rateLimitCategory"; expected kind, path, from, to, times, delay, retry_after_format, retry_after, rate_limit_category, rate_limit_type (as a scenario\'s faults write them: docs/simulator.md)',
      ],
      [
        '{"kind":"404"}',
        'kind is not one; expected one of 429, 500, 502, 503, slow, stall, reset, malformed, page_loop, page_wrap',
      ],
      ['{"kind":"slow","delay":"soon"}', 'not a duration: "soon" (expected e.g. 90s, 5m, 1h)'],
      ['{"kind":"503","times":0}', 'times: expected a whole number from 1'],
      ['[1]', 'expected a fault as a JSON object, such as {"kind":"429","retry_after":"120","times":2}'],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ code: 400, message });
    }
    expect((await qos()).status).toBe(200);
  });
});
