import { DEFAULT_SCENARIO_FILE, loadScenario } from '../simulator/scenario.js';
import { ZoomSimulator } from '../simulator/server.js';
import { ScaledClock, systemClock } from '../util/clock.js';
import { intOption, numberOption, parse } from './args.js';
import { onShutdown } from './signals.js';

export const simulateHelp = `qoswatch simulate [--scenario FILE] [--port N] [--host ADDR] [--speed X]

Serves Zoom's Dashboard QoS API, OAuth token endpoint and Video SDK session endpoints
from a scenario, so qoswatch (or curl) can be tried without a Zoom account.

  --scenario FILE  scenario YAML (default: the shipped default scenario)
  --port N         port to listen on (default 9780; 0 picks a free one)
  --host ADDR      address to listen on (default 127.0.0.1)
  --speed X        simulated time runs X times faster than real time (default 1)
`;

export async function simulate(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    scenario: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    speed: { type: 'string' },
  });
  const speed = numberOption(values.speed, 'speed', 1);
  const now = Date.now();
  const scenario = loadScenario(values.scenario ?? DEFAULT_SCENARIO_FILE, now);
  const clock = speed === 1 ? systemClock : new ScaledClock(now, speed);
  const sim = new ZoomSimulator(scenario, clock);
  const url = await sim.listen(intOption(values.port, 'port', 9780), values.host ?? '127.0.0.1');
  const day = new Date(clock.now()).toISOString().slice(0, 10);
  process.stdout.write(
    `qoswatch simulator: scenario "${scenario.name}" on ${url} (speed ${speed}x)\n` +
      `  token:    curl -s -X POST -u any-id:any-secret '${url}/oauth/token?grant_type=account_credentials&account_id=any'\n` +
      `  meetings: curl -s -H "Authorization: Bearer $TOKEN" '${url}/v2/metrics/meetings?type=live&from=${day}&to=${day}'\n` +
      `  status:   curl -s '${url}/_sim/status'\n`,
  );
  await onShutdown().done;
  await sim.close();
  return 0;
}
