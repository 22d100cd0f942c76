import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QssPusher } from '../../src/simulator/qss-pusher.js';
import { RedirectPair } from '../helpers/http-server.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

const pair = new RedirectPair();
const { other, redirecting } = pair;
let h: SimHarness;
beforeAll(async () => pair.listen());
afterAll(async () => pair.close());
afterEach(async () => h.close());

describe('simulate --push-to a receiver that redirects to another host', () => {
  // Fails on the old code: fetch followed the 307 and /steal got the signed events (and the
  // pushes counted as delivered).
  it('does not follow it: the signed events stay off the other host and count as failed', async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    const pusher = new QssPusher(h.sim.world, h.clock, {
      url: `${redirecting.url}/zoom/qss`,
      secretToken: 'push-secret',
      attempts: 1,
    });
    await pusher.push();
    expect(redirecting.received.length).toBeGreaterThan(0);
    expect(other.received).toEqual([]);
    expect(pusher.stats.delivered).toBe(0);
    expect(pusher.stats.statuses.get(307)).toBe(redirecting.received.length);
  });
});
