import { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { daemonFor, holdClockInCycles } from './daemon.js';
import type { Received } from './http-server.js';
import { captureLog, type LogLine } from './log.js';
import { simProxy } from './proxy.js';
import { startSim, T0, type SimHarness } from './sim.js';

export const MIN = 60_000;

/** The QoS path, array key and instance UUID of each kind of instance. */
export const KINDS = {
  meetings: {
    qos: /\/metrics\/meetings\/[^/]+\/participants\/qos\?/,
    key: 'participants',
    uuid: 'qos/meeting==',
  },
  webinars: {
    qos: /\/metrics\/webinars\/[^/]+\/participants\/qos\?/,
    key: 'participants',
    uuid: 'qos/webinar==',
  },
  sessions: { qos: /\/videosdk\/sessions\/[^/]+\/users\/qos\?/, key: 'users', uuid: 'qos-session' },
} as const;
export type Kind = keyof typeof KINDS;

/** What a run showed: its alert changes, log lines and /metrics text, and how many answers were rewritten. */
export interface Run {
  changes: AlertChange[];
  lines: LogLine[];
  metrics: string;
  rewritten: number;
}

/**
 * The simulator with one `kind` instance of `people` participants (`p0`, `p1`... with user_id
 * 400, 401...), each with high latency throughout (an alert each).
 */
function startLive(kind: Kind, people: number, seed: string): Promise<SimHarness> {
  const keys = Array.from({ length: people }, (_, i) => `p${i}`);
  const id = KINDS[kind].uuid;
  const participants = keys.map((key, i) => ({ key, id: `u-${key}`, user_id: `${400 + i}`, name: key }));
  const instance = {
    id: kind === 'sessions' ? id : 85000000038,
    uuid: id,
    topic: 'Live',
    start: '0m',
    end: '2h',
  };
  const episodes = keys.map((participant) => ({
    where: { participant },
    from: '0m',
    to: '2h',
    any: { latency: '450ms' },
  }));
  return startSim({ seed, qos_window: '10m', [kind]: [{ ...instance, participants }], episodes }, 0);
}

/**
 * The daemon's own loop for `endMin` minutes over startLive(kind, people), each of its QoS
 * answers passed through `rewrite` with the simulator's minute: it returns the text to answer
 * with, or undefined to leave the answer as it is (rewritten answers are counted).
 */
export async function runRewritten(
  kind: Kind,
  people: number,
  endMin: number,
  rewrite: (text: string, minute: number, r: Received) => string | undefined,
  seed = `qos-not-a-list-${kind}`,
): Promise<Run> {
  const h = await startLive(kind, people, seed);
  let rewritten = 0;
  const proxy = await simProxy(h.url, {
    rewrite: (text, r) => {
      const out = KINDS[kind].qos.test(r.path) ? rewrite(text, (h.clock.now() - T0) / MIN, r) : undefined;
      if (out === undefined) return text;
      rewritten++;
      return out;
    },
  });
  try {
    const { log, lines } = captureLog('info');
    const only = Object.fromEntries(Object.keys(KINDS).map((k) => [k, k === kind]));
    const config = daemonFor({ ...h, url: proxy.url }).daemon.parts.config;
    Object.assign(config.sources, only);
    config.videosdk!.apiUrl = proxy.url;
    const daemon = holdClockInCycles(new Daemon(config, { clock: h.clock, log, sinks: [] }), h);
    const changes: AlertChange[] = [];
    daemon.onAlerts((c) => changes.push(...c));
    const stop = new AbortController();
    // Each cycle logged as `qoswatch run` logs it (its line says the cycle's errors).
    await daemon.run(stop.signal, (cycle) => {
      daemon.logCycle(cycle);
      if (h.clock.now() >= T0 + endMin * MIN) stop.abort();
    });
    return { changes, lines, metrics: await daemon.parts.metrics.text(), rewritten };
  } finally {
    await proxy.close();
    await h.close();
  }
}

/** A counter of the /metrics text whose labels include `labels` (`name="value"` pairs), 0 when absent. */
export const counter = (metrics: string, name: string, labels: string[] = []): number => {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((l) => line.includes(l))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
};
