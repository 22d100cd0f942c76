import { afterEach, describe, expect, it } from 'vitest';
import { loggedS2S, meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => {
  await h.close();
});

/**
 * A token answer whose api_url `new URL` reads but zoom.api_url's check refuses (a port out of
 * 1-65535, a space): the calls stay on zoom.api_url (the simulator), with one warning.
 */
describe("a token answer whose api_url has a port out of 1-65535 or a space (Zoom's simulator over HTTP)", () => {
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
});
