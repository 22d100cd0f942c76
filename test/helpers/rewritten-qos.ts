import type { TestServer } from './http-server.js';
import { simProxy } from './proxy.js';
import { startSim, type SimHarness } from './sim.js';

const MIN = 60_000;

/** The meeting of a rewritten-QoS test: Ann and Bo (their Zoom `user_id`s), from minute 0 for two hours. */
export interface RewrittenMeeting {
  seed: string;
  id: number;
  uuid: string;
  userIds: readonly [ann: string, bo: string];
}

/**
 * The simulator (10 minutes into one meeting of Ann and Bo) behind a real HTTP proxy that passes
 * every answer on as it came except the meeting's QoS pages, whose text goes through `rewrite`:
 * what Zoom might send that the simulator never does. Point the client at `proxy.url`.
 */
export async function rewrittenQos(
  m: RewrittenMeeting,
  rewrite: (qosPage: string) => string,
): Promise<{ h: SimHarness; proxy: TestServer; close: () => Promise<void> }> {
  const [ann, bo] = m.userIds;
  const h = await startSim(
    {
      seed: m.seed,
      meetings: [
        {
          id: m.id,
          uuid: m.uuid,
          topic: 'Odd values',
          start: '0m',
          end: '2h',
          participants: [
            { key: 'ann', id: 'u-ann', user_id: ann, name: 'Ann' },
            { key: 'bo', id: 'u-bo', user_id: bo, name: 'Bo' },
          ],
        },
      ],
    },
    10 * MIN,
  );
  const proxy = await simProxy(h.url, {
    rewrite: (text, r) => (r.path.includes('/qos') ? rewrite(text) : text),
  });
  return {
    h,
    proxy,
    close: async () => {
      await proxy.close();
      await h.close();
    },
  };
}
