import { afterEach, describe, expect, it } from 'vitest';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { meetingWith, startSim, T0, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => h.close());

describe('a cycle whose discovery fails', () => {
  // Outside tester: with every call failing (a token api_url that sent them all to a 404),
  // nothing was listed or polled and the cycle said errors: 0. Fails on the old code (0).
  it('counts the failed list call in the cycle report', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: '500', path: '/metrics/meetings$' }] });
    const { daemon } = daemonFor(h, (c) => {
      c.sources = { meetings: true, webinars: false, sessions: false };
    });
    await runUntil(daemon, h, T0 + 8 * 60_000);
    const cycle = daemon.parts.scheduler.lastCycle!;
    expect(cycle).toMatchObject({ live: 0, polled: 0, errors: 1 });
    expect(h.sim.requests.get('list 500')).toBeGreaterThan(0);
  }, 60_000);
});
