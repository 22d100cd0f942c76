import { afterEach, describe, expect, it } from 'vitest';
import { loggedS2S, meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => {
  await h.close();
});

/**
 * A token answer whose api_url `new URL` reads but zoom.api_url's check refuses (a port out of
 * 1-65535, a space), or that cannot be a base URL (a query, a fragment): the calls stay on
 * zoom.api_url (the simulator), with one warning.
 */
describe("a token answer whose api_url has a port out of 1-65535, a space, a query or a fragment (Zoom's simulator over HTTP)", () => {
  const cases: [string, (origin: string) => string, (origin: string) => string][] = [
    ['port 0', () => 'http://127.0.0.1:0', () => 'http://127.0.0.1:0, whose port 0 is not from 1 to 65535'],
    [
      'port 00000',
      () => 'http://127.0.0.1:00000/',
      () => 'http://127.0.0.1:0, whose port 00000 is not from 1 to 65535',
    ],
    [
      'a trailing space',
      (origin) => `${origin} `,
      (origin) => `${origin}, which holds a space or a character a URL never holds`,
    ],
    ['port 065536', () => 'http://127.0.0.1:065536', () => 'a string that does not parse as a URL'],
    // Calls append /v2/… to the text: every one went to the host's `/` and got a 404.
    ['a query', (origin) => `${origin}/?x=`, (origin) => `${origin} with a query or a fragment (not shown)`],
    ['a bare ?', (origin) => `${origin}?`, (origin) => `${origin} with a query or a fragment (not shown)`],
    [
      'a fragment',
      (origin) => `${origin}/#frag`,
      (origin) => `${origin} with a query or a fragment (not shown)`,
    ],
  ];

  it.each(cases)(
    '%s: not used, calls go to zoom.api_url, one warning per fault',
    async (_name, value, what) => {
      h = await startSim({ meetings: [meetingWith(2)] });
      const origin = new URL(h.url).origin;
      h.sim.editTokenAnswers((a) => ({ ...a, api_url: value(origin) }));
      const { auth, lines, call } = loggedS2S(h, { maxRetries: 0 }, 's3cr3t');
      expect((await call()).participants).toHaveLength(2);
      await call();
      h.sim.revokeTokens(); // a new token with the same api_url: not warned again
      expect((await call()).participants).toHaveLength(2);
      expect(auth.fetched).toBe(2);
      const warned = lines.filter((l) => l.msg.includes('api_url'));
      expect(warned.map((l) => [l.level, l.msg])).toEqual([
        [
          40,
          `Zoom's token answer names api_url ${what(origin)} (not used: API calls go to zoom.api_url as configured)`,
        ],
      ]);
      expect(JSON.stringify(lines)).not.toContain('s3cr3t');
    },
  );

  it('a port from 1 to 65535, even written with a leading zero, is used as it is, and nothing is warned', async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    // The configured API host is unreachable; the token's api_url (the simulator's port) is used.
    h.sim.editTokenAnswers((a) => ({ ...a, api_url: `http://127.0.0.1:0${new URL(h.url).port}` }));
    const { lines, call } = loggedS2S(h, { apiUrl: 'http://127.0.0.1:9', maxRetries: 0 });
    expect((await call()).participants).toHaveLength(2);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  // Old code: refused with a warning that "http://127.0.0.1:…, which is not an http:// or
  // https:// URL", and the calls went to the unreachable zoom.api_url.
  it.each(['HTTP', 'Http'])(
    'a scheme written %s:// is the same scheme: used, and nothing is warned',
    async (scheme) => {
      h = await startSim({ meetings: [meetingWith(2)] });
      h.sim.editTokenAnswers((a) => ({ ...a, api_url: `${scheme}://127.0.0.1:${new URL(h.url).port}` }));
      const { lines, call } = loggedS2S(h, { apiUrl: 'http://127.0.0.1:9', maxRetries: 0 });
      expect((await call()).participants).toHaveLength(2);
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    },
  );
});

describe('a token answer whose api_url is plain http while zoom.api_url is https', () => {
  // Fails on the old code: the call went to the simulator over plain http with the Bearer token
  // (only an info line said where calls went) and got its 2 participants.
  it('is not used (the Bearer token never goes in clear): calls go to zoom.api_url, one warning', async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    const { origin, port } = new URL(h.url);
    h.sim.editTokenAnswers((a) => ({ ...a, api_url: origin }));
    // zoom.api_url: https to the simulator's port, which speaks plain http: TLS fails there.
    const configured = `https://127.0.0.1:${port}`;
    const { auth, lines, call } = loggedS2S(h, { apiUrl: configured, maxRetries: 0 }, 's3cr3t');
    await expect(call()).rejects.toMatchObject({ code: 'ZOOM_NETWORK_ERROR' });
    h.clock.advance(2 * 3600_000); // a new token with the same api_url: not warned again
    await expect(call()).rejects.toMatchObject({ code: 'ZOOM_NETWORK_ERROR' });
    expect(auth.fetched).toBe(2);
    expect(h.sim.apiRequests()).toBe(0);
    expect(lines.filter((l) => l.msg.includes('api_url')).map((l) => [l.level, l.msg])).toEqual([
      [
        40,
        `Zoom's token answer names api_url ${origin}, plain http while zoom.api_url ${configured} is https (not used: API calls go to zoom.api_url as configured)`,
      ],
    ]);
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
  });

  it('https from an http zoom.api_url (the simulator) is used; another https host gets the info line only', async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    const { lines, call } = loggedS2S(h, { maxRetries: 0 });
    // Nothing listens on port 2 (port 9 is one fetch refuses, so the check now drops it).
    h.sim.editTokenAnswers((a) => ({ ...a, api_url: 'https://127.0.0.1:2' }));
    await expect(call()).rejects.toMatchObject({ code: 'ZOOM_NETWORK_ERROR' });
    expect(h.sim.apiRequests()).toBe(0);
    expect(lines.filter((l) => l.msg.includes('api_url')).map((l) => l.level)).toEqual([30]);
  });
});
