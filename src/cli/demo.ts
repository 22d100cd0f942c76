import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../app/daemon.js';
import { shownKey } from '../normalize/zoom-text.js';
import { DEFAULT_SCENARIO_FILE, loadScenario } from '../simulator/scenario.js';
import { ZoomSimulator } from '../simulator/server.js';
import type { Scenario } from '../simulator/scenario-types.js';
import { ScaledClock } from '../util/clock.js';
import { createLogger, type Logger } from '../util/logger.js';
import { intOption, MAX_SPEED, numberOption, parse, portOption } from './args.js';
import { demoConfig } from './demo-config.js';
import { onShutdown } from '../util/signals.js';

export const demoHelp = `qoswatch demo [--speed X] [--minutes N] [--scenario FILE] [--port N]

Starts the Zoom simulator with the default scenario on a fast clock and the daemon against
it, and shows on the terminal what qoswatch sees: meetings discovered, participants polled,
alerts firing and resolving. Stop it with Ctrl-C.

  --speed X        simulated minutes per real minute (default 60: a minute passes each second;
                   at most 100000)
  --minutes N      stop after N simulated minutes (default: run until Ctrl-C)
  --scenario FILE  another scenario file
  --port N         port for /metrics, /healthz, /readyz and /api/v1 (default 9781; 0 picks a free one)
`;

export async function demo(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    speed: { type: 'string' },
    minutes: { type: 'string' },
    scenario: { type: 'string' },
    port: { type: 'string' },
  });
  // Every option checked before anything starts: a wrong one is a usage error (exit 2) with
  // nothing left serving (`--port 70000` once left the simulator up and never exited).
  const speed = numberOption(values.speed, 'speed', 60, MAX_SPEED);
  const minutes =
    values.minutes === undefined
      ? undefined
      : intOption(values.minutes, 'minutes', 0, { min: 1, example: 5 });
  const port = portOption(values.port, 'port', 9781);
  const start = Date.now();
  const clock = new ScaledClock(start, speed);
  const scenario = loadScenario(values.scenario ?? DEFAULT_SCENARIO_FILE, start);
  const sim = new ZoomSimulator(scenario, clock);
  const simUrl = await sim.listen(0, '127.0.0.1');
  const stateDir = mkdtempSync(join(tmpdir(), 'qoswatch-demo-'));
  try {
    const log = createLogger({ level: 'info', format: 'pretty' }, { clock, hideObjects: true });
    const daemon = new Daemon(demoConfig(simUrl, stateDir, port), { clock, log });
    await runDemo(daemon, log, {
      clock,
      scenario,
      simUrl,
      speed,
      end: minutes === undefined ? undefined : start + minutes * 60_000,
    });
    log.info('demo stopped');
  } finally {
    await sim.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return 0;
}

/** The demo's daemon, started and run until Ctrl-C or `end` (simulated time). */
async function runDemo(
  daemon: Daemon,
  log: Logger,
  o: { clock: ScaledClock; scenario: Scenario; simUrl: string; speed: number; end: number | undefined },
): Promise<void> {
  const { clock, scenario, simUrl, speed, end } = o;
  // Alerts go through the dispatcher to a console notifier: grouped per rule, with the
  // participant alerts an incident explains held back, as Slack or e-mail would get them.
  await daemon.startNotifications();
  daemon.addSink({
    handle: (e) => {
      if (e.type === 'left') log.info(`participant ${shownKey(e.participant)} left "${e.instance.topic}"`);
    },
  });
  // The port asked for, or a free one when it is taken.
  const healthUrl = await daemon.listen().catch(() => daemon.listen(0));
  // The SIGTERM handler before the lines that say it runs (as run has it, main.ts).
  const { signal } = onShutdown();
  log.info(
    `demo: simulated Zoom on ${simUrl}, scenario "${scenario.name}", ${speed}x speed; health on ${healthUrl}/healthz`,
  );
  log.info(
    'demo: episodes ahead: ' +
      scenario.episodes.map((e) => `${e.name} (minute ${e.from / 60_000}-${e.to / 60_000})`).join('; '),
  );
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });
  await daemon.run(stop.signal, (r) => {
    daemon.logCycle(r);
    if (end !== undefined && clock.now() >= end) stop.abort();
  });
}
