import { afterEach, describe, expect, it } from 'vitest';
import { loggedS2S, meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => {
  await h.close();
});

/** The API calls of a run: some together, most one after another, a minute of virtual time apart. */
const CALLS = 30;

describe("a token answer whose expires_in is not a number of seconds from 1 to a day (Zoom's simulator over HTTP)", () => {
  const cases: [string, (a: Record<string, unknown>) => Record<string, unknown>, string][] = [
    ['a word', (a) => ({ ...a, expires_in: 'soon' }), 'a string of 4 characters'],
    ['a number as text', (a) => ({ ...a, expires_in: '3599' }), 'a string of 4 characters'],
    ['"NaN"', (a) => ({ ...a, expires_in: 'NaN' }), 'a string of 3 characters'],
    ['missing', (a) => Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'expires_in')), 'missing'],
    ['null', (a) => ({ ...a, expires_in: null }), 'null'],
    ['negative', (a) => ({ ...a, expires_in: -3600 }), 'the number -3600'],
    ['zero', (a) => ({ ...a, expires_in: 0 }), 'the number 0'],
    ['huge', (a) => ({ ...a, expires_in: 1e12 }), 'the number 1000000000000'],
    ['an object', (a) => ({ ...a, expires_in: { s: 3599 } }), 'an object'],
  ];

  it.each(cases)(
    '%s: one token request for a run of calls, renewed at 55 min as for 3600 s, one warning without the token',
    async (_name, edit, what) => {
      h = await startSim({ meetings: [meetingWith(2)] });
      h.sim.editTokenAnswers(edit);
      const { auth, client, lines, call } = loggedS2S(h, {}, 's3cr3t');
      await Promise.all([call(), call(), call()]);
      for (let i = 3; i < CALLS; i++) {
        await call();
        h.clock.advance(60_000 / 3); // 27 calls over 9 minutes
      }
      expect(h.sim.tokensIssued).toBe(1);
      expect(auth.fetched).toBe(1);
      // Zoom's 3600 s: renewed 5 minutes before the hour, not never (huge) and not at once.
      h.clock.advance(45 * 60_000); // 54 min in
      await call();
      expect(h.sim.tokensIssued).toBe(1);
      h.clock.advance(2 * 60_000); // 56 min in
      await call();
      await call();
      expect(h.sim.tokensIssued).toBe(2);
      expect(client.stats.total({ outcome: 'unauthorized' })).toBe(0);
      const warned = lines.filter((l) => l.msg.includes('expires_in'));
      expect(warned.map((l) => [l.level, l.msg])).toEqual([
        [
          40,
          `Zoom's token answer's expires_in is ${what}, not a number of seconds from 1 to 86400: the token is renewed as if it lived 3600 s (Zoom's documented lifetime)`,
        ],
      ]);
      const logged = JSON.stringify(lines);
      expect(logged).not.toContain('s3cr3t');
      const { header } = await auth.authorize();
      expect(logged).not.toContain(header.replace('Bearer ', ''));
    },
  );

  it('a good expires_in is used as it is, and nothing is said', async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    h.sim.editTokenAnswers((a) => ({ ...a, expires_in: 1200 })); // 20 min: renewed at 15 min
    const { lines, call } = loggedS2S(h);
    for (let i = 0; i < 10; i++) await call();
    h.clock.advance(14 * 60_000);
    await call();
    expect(h.sim.tokensIssued).toBe(1);
    h.clock.advance(2 * 60_000);
    await call();
    expect(h.sim.tokensIssued).toBe(2);
    expect(lines.filter((l) => l.msg.includes('expires_in'))).toEqual([]);
  });
});
