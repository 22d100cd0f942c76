import type { TestServer } from './http-server.js';
import { simProxy } from './proxy.js';
import { pushedMeeting, wiredParticipant } from './push-e2e.js';
import { startSim, T0, type SimHarness } from './sim.js';

const MIN = 60_000;

/**
 * The simulator from minute 0 with one meeting of Ann (user_id `ann`, latency 450 ms from minute
 * 2) and Bob (`bob`), behind a real HTTP proxy whose QoS list of the meeting leaves Ann out at
 * the scenario minutes `leaveOut` says: Zoom's list lagging a participant Zoom pushes.
 * `leftOut`: the minutes at which a list left her out.
 */
export async function annLeftOut(
  seed: string,
  meeting: { id: number; uuid: string; topic: string },
  users: { ann: string; bob: string },
  leaveOut: (minute: number) => boolean,
): Promise<{ h: SimHarness; proxy: TestServer; leftOut: number[] }> {
  const h = await startSim(
    {
      seed,
      qos_window: '10m',
      meetings: [
        pushedMeeting(meeting.id, meeting.uuid, meeting.topic, wiredParticipant('ann', users.ann), {
          ...wiredParticipant('bob', users.bob),
        }),
      ],
      episodes: [{ where: { participant: 'ann' }, from: '2m', to: '30m', any: { latency: '450ms' } }],
    },
    0,
  );
  const leftOut: number[] = [];
  const proxy = await simProxy(h.url, {
    rewrite: (text, r) => {
      const minute = Math.floor((h.clock.now() - T0) / MIN);
      if (!r.path.includes('/participants/qos') || !leaveOut(minute)) return text;
      const page = JSON.parse(text) as { participants: { user_id?: string }[] };
      const before = page.participants.length;
      page.participants = page.participants.filter((p) => p.user_id !== users.ann);
      if (page.participants.length < before && !leftOut.includes(minute)) leftOut.push(minute);
      return JSON.stringify(page);
    },
  });
  return { h, proxy, leftOut };
}
