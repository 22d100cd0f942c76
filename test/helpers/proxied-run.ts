import { Daemon } from '../../src/app/daemon.js';
import type { Config } from '../../src/config/types.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { daemonFor, holdClockInCycles } from './daemon.js';
import type { Received, TestServer } from './http-server.js';
import { captureLog, type LogLine } from './log.js';
import { simProxy } from './proxy.js';
import type { SimHarness } from './sim.js';

/** What a daemon run through a rewriting proxy saw. */
export interface ProxiedRun {
  proxy: TestServer;
  events: PipelineEvent[];
  lines: LogLine[];
  metrics: string;
  cycles: number;
}

/**
 * The daemon's own loop for `forMs` of `h`'s virtual time (each cycle holding the clock), its
 * Zoom calls through a real proxy in front of the simulator that rewrites each answer's text
 * (`rewrite`); logs captured at info. `tweak` changes its config (daemonFor's). The proxy is
 * the caller's to close.
 */
export async function runThroughProxy(
  h: SimHarness,
  rewrite: (text: string, r: Received) => string,
  forMs: number,
  tweak?: (c: Config) => void,
): Promise<ProxiedRun> {
  const proxy = await simProxy(h.url, { rewrite });
  const { log, lines } = captureLog('info');
  const events: PipelineEvent[] = [];
  const { daemon: template } = daemonFor({ ...h, url: proxy.url }, tweak);
  const daemon = holdClockInCycles(
    new Daemon(template.parts.config, { clock: h.clock, log, sinks: [{ handle: (e) => events.push(e) }] }),
    h,
  );
  const stop = new AbortController();
  const until = h.clock.now() + forMs;
  let cycles = 0;
  await daemon.run(stop.signal, () => {
    cycles++;
    if (h.clock.now() >= until) stop.abort();
  });
  return { proxy, events, lines, metrics: await daemon.parts.metrics.text(), cycles };
}
