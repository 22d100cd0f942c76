import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import type { Config } from '../../src/config/types.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { daemonFor, holdClockInCycles } from '../helpers/daemon.js';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Right after a restart the daemon has no earlier poll of a meeting to hold participants from:
 * a first poll whose page holds an entry it cannot identify (here the number 7, in place of
 * Ann's) must still take nobody as gone, or Ann's restored alert resolves as `left` and fires
 * again under a new id. The next clean page without Ann makes her leave. Against the simulator
 * through a proxy that rewrites the QoS answers after the restart.
 */
const MIN = 60_000;
const RESTART = 5;
const CLEAN_FROM = RESTART + 3;
const END = RESTART + 6;

let h: SimHarness;
let proxy: TestServer;
afterEach(async () => {
  for (const server of [proxy, h]) await server.close();
});

/** One daemon over `config`'s state dir, its own loop on the simulator's clock until minute `until`. */
async function runDaemon(config: Config, until: number): Promise<AlertChange[]> {
  const { log } = captureLog('info');
  const daemon = holdClockInCycles(new Daemon(config, { clock: h.clock, log, sinks: [] }), h);
  const changes: AlertChange[] = [];
  daemon.onAlerts((c) => changes.push(...c));
  const stop = new AbortController();
  await daemon.run(stop.signal, () => {
    if (h.clock.now() >= T0 + until * MIN) stop.abort();
  });
  return changes;
}

/** The QoS page without Ann's entry (user_id 300), with 7 in its place until CLEAN_FROM. */
function withoutAnn(text: string): string {
  const page = JSON.parse(text) as { participants: Record<string, unknown>[] };
  const rest: unknown[] = page.participants.filter((p) => p.user_id !== '300');
  if (h.clock.now() < T0 + CLEAN_FROM * MIN) rest.push(7);
  return JSON.stringify({ ...page, participants: rest });
}

describe('after a restart, a first poll with an entry it cannot identify', () => {
  it("takes nobody as gone: Ann's restored alert stays firing until a clean poll without her", async () => {
    const people = [
      { key: 'ann', id: 'u-ann', user_id: '300', name: 'Ann' },
      { key: 'bob', id: 'u-bob', user_id: '301', name: 'Bob' },
    ];
    h = await startSim(
      {
        seed: 'restart-unidentified-entry',
        qos_window: '10m',
        meetings: [
          {
            id: 85000000039,
            uuid: 'restored/unidentified==',
            topic: 'R',
            start: '0m',
            end: '2h',
            participants: people,
          },
        ],
        episodes: people.map((p) => ({
          where: { participant: p.key },
          from: '0m',
          to: '2h',
          any: { latency: '450ms' },
        })),
      },
      0,
    );
    const restarted = (): boolean => h.clock.now() >= T0 + RESTART * MIN;
    proxy = await simProxy(h.url, {
      rewrite: (text, r) => (restarted() && /\/participants\/qos\?/.test(r.path) ? withoutAnn(text) : text),
    });
    // Meetings only: the state dir (and so the restored alerts) is the config's, shared by both runs.
    const config = daemonFor({ ...h, url: proxy.url }).daemon.parts.config;
    config.sources = { meetings: true, webinars: false, sessions: false };
    const before = await runDaemon(config, RESTART);
    expect(before.filter((c) => c.state === 'firing')).toHaveLength(2);
    const after = await runDaemon(config, END);
    // Nothing fires again; only Ann resolves, as `left`, once a clean poll leaves her out.
    expect(after.filter((c) => c.state !== 'resolved')).toEqual([]);
    const resolved = after.filter((c) => c.state === 'resolved');
    expect(resolved.map((c) => [c.alert.context.participantKey, c.alert.reason])).toEqual([['300', 'left']]);
    expect(resolved[0]!.alert.resolvedAt).toBeGreaterThanOrEqual(T0 + CLEAN_FROM * MIN);
  }, 60_000);
});
