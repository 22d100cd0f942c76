import type { Logger } from 'pino';
import { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { daemonFor, holdClockInCycles, runUntil } from './daemon.js';
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

/**
 * rewrittenQos, and the demo's daemon on it (logging to `log`) for `minutes` minutes of the
 * simulator's clock: every pipeline event it handed on, and its /metrics text at the end.
 */
export async function daemonOnRewrittenQos(
  m: RewrittenMeeting,
  rewrite: (qosPage: string) => string,
  log: Logger,
  minutes = 4,
): Promise<{ h: SimHarness; events: PipelineEvent[]; metrics: string; close: () => Promise<void> }> {
  const { h, proxy, close } = await rewrittenQos(m, rewrite);
  const events: PipelineEvent[] = [];
  const { daemon: template } = daemonFor({ ...h, url: proxy.url });
  const daemon = holdClockInCycles(
    new Daemon(template.parts.config, { clock: h.clock, log, sinks: [{ handle: (e) => events.push(e) }] }),
    h,
  );
  await runUntil(daemon, h, h.clock.now() + minutes * MIN);
  return { h, events, metrics: await daemon.parts.metrics.text(), close };
}

/** A rewrite of a QoS page that passes each `user_qos` entry of the participant `userId` to `edit`. */
export function editQosOf(
  userId: string,
  edit: (entry: Record<string, unknown>) => void,
): (text: string) => string {
  return (text) => {
    const page = JSON.parse(text) as {
      participants: { user_id: string; user_qos: Record<string, unknown>[] }[];
    };
    for (const p of page.participants) if (p.user_id === userId) p.user_qos.forEach(edit);
    return JSON.stringify(page);
  };
}
