import { QssPusher, type PushFaults } from '../simulator/qss-pusher.js';
import { DEFAULT_SCENARIO_FILE, loadScenario } from '../simulator/scenario.js';
import { ZoomSimulator } from '../simulator/server.js';
import { ScaledClock, systemClock } from '../util/clock.js';
import { durationMs } from '../util/duration.js';
import { redactUrlCredentials } from '../util/redact-url.js';
import { MAX_SPEED, numberOption, parse, portOption, UsageError } from './args.js';
import { pushToProblem } from './push-to-url.js';
import { onShutdown } from '../util/signals.js';
import { readSecretText, secretFileFailure } from '../util/secret-file.js';

export const simulateHelp = `qoswatch simulate [--scenario FILE] [--port N] [--host ADDR] [--speed X]

Serves Zoom's Dashboard QoS API, OAuth token endpoint and Video SDK session endpoints
from a scenario, so qoswatch (or curl) can be tried without a Zoom account.

  --scenario FILE  scenario YAML (default: the shipped default scenario)
  --port N         port to listen on (default 9780; 0 picks a free one)
  --host ADDR      address to listen on (default 127.0.0.1)
  --speed X        simulated time runs X times faster than real time (default 1; at most 100000)

Pushing QSS webhooks (Zoom's QoS Subscription) of the same samples to qoswatch:
  --push-to URL            POST signed events there: an http(s) URL, port 1 to 65535
                           (e.g. http://127.0.0.1:9782/zoom/qss)
  --push-secret-file FILE  the app's secret token (or set QOSWATCH_PUSH_SECRET_TOKEN)
  --push-every DURATION    simulated time between rounds, 1s to 24h (default 60s)
  --push-faults LIST       comma-separated: duplicate=0.1, replay=0.05, bad_signature=0.05,
                           retry=0.1 (answer taken as lost: Zoom's redeliveries at +5, +20,
                           +60 min), out_of_order (shares of events; default none)
`;

function pushFaults(list: string | undefined): PushFaults {
  const f: PushFaults = {};
  for (const item of (list ?? '').split(',').filter(Boolean)) {
    const [name, v] = item.split('=');
    const share = v === undefined ? 1 : Number(v);
    if (!(share >= 0 && share <= 1))
      throw new UsageError(`--push-faults: ${item}: expected a share from 0 to 1`);
    if (name === 'duplicate') f.duplicate = share;
    else if (name === 'replay') f.replay = share;
    else if (name === 'bad_signature') f.badSignature = share;
    else if (name === 'retry') f.retry = share;
    else if (name === 'out_of_order') f.outOfOrder = share > 0;
    else
      throw new UsageError(
        `--push-faults: unknown fault "${name}"; expected duplicate, replay, bad_signature, retry or out_of_order`,
      );
  }
  return f;
}

interface PushOptions {
  url: string;
  secretToken: string;
  every: number;
  everyText: string;
  faults: PushFaults;
}

/**
 * The --push-* options, read and checked before the simulator listens: a wrong one is a usage
 * error (exit 2) with nothing served, not a simulator left serving without pushing.
 */
function pushOptions(values: Record<string, string | undefined>): PushOptions | undefined {
  const to = values['push-to'];
  if (to === undefined) {
    const stray = ['push-secret-file', 'push-every', 'push-faults'].find((k) => values[k] !== undefined);
    if (stray) throw new UsageError(`--${stray} is for pushing: give --push-to URL too`);
    return undefined;
  }
  const wrong = pushToProblem(to);
  if (wrong !== undefined) throw new UsageError(`--push-to: ${wrong}`);
  const file = values['push-secret-file'];
  let secretToken: string;
  try {
    secretToken = file ? readSecretText(file).trim() : (process.env.QOSWATCH_PUSH_SECRET_TOKEN ?? '');
  } catch (err) {
    throw new UsageError(
      `--push-secret-file: ${secretFileFailure(err, file ?? '', "the app's secret token")}`,
    );
  }
  if (!secretToken)
    throw new UsageError(
      file
        ? `--push-secret-file: ${file} is empty; expected the app's secret token`
        : '--push-to needs the secret token, from --push-secret-file FILE or QOSWATCH_PUSH_SECRET_TOKEN',
    );
  const everyText = values['push-every'] ?? '60s';
  let every: number;
  try {
    every = durationMs(everyText);
  } catch {
    throw new UsageError(`--push-every: expected a duration such as 60s, found ${everyText}`);
  }
  // 0s pushed nothing in a loop that never slept (outside tester, stop 31).
  if (every < 1_000 || every > 86_400_000)
    throw new UsageError(`--push-every: found ${everyText}; expected a duration from 1s to 24h`);
  return { url: to, secretToken, every, everyText, faults: pushFaults(values['push-faults']) };
}

export async function simulate(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    scenario: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    speed: { type: 'string' },
    'push-to': { type: 'string' },
    'push-secret-file': { type: 'string' },
    'push-every': { type: 'string' },
    'push-faults': { type: 'string' },
  });
  const speed = numberOption(values.speed, 'speed', 1, MAX_SPEED);
  const port = portOption(values.port, 'port', 9780);
  const push = pushOptions(values);
  const now = Date.now();
  const scenario = loadScenario(values.scenario ?? DEFAULT_SCENARIO_FILE, now);
  const clock = speed === 1 ? systemClock : new ScaledClock(now, speed);
  const sim = new ZoomSimulator(scenario, clock);
  const url = await sim.listen(port, values.host ?? '127.0.0.1');
  const day = new Date(clock.now()).toISOString().slice(0, 10);
  // The SIGTERM handler before the lines that say where it serves (as run has it): a script or a
  // test that stops it as soon as it reads them must not meet SIGTERM's default action.
  const shutdown = onShutdown();
  process.stdout.write(
    `qoswatch simulator: scenario "${scenario.name}" on ${url} (speed ${speed}x)\n` +
      `  token:    curl -s -X POST -u any-id:any-secret '${url}/oauth/token?grant_type=account_credentials&account_id=any'\n` +
      `  meetings: curl -s -H "Authorization: Bearer $TOKEN" '${url}/v2/metrics/meetings?type=live&from=${day}&to=${day}'\n` +
      `  status:   curl -s '${url}/_sim/status'\n`,
  );
  let pushing: Promise<void> | undefined;
  if (push) {
    const pusher = new QssPusher(sim.world, clock, {
      url: push.url,
      secretToken: push.secretToken,
      faults: push.faults,
      stampNow: () => Date.now(),
    });
    process.stdout.write(
      `  pushing:  QSS events to ${redactUrlCredentials(push.url)} every ${push.everyText} of scenario time\n`,
    );
    pushing = (async () => {
      while (!shutdown.signal.aborted) {
        await pusher.push();
        const s = pusher.stats;
        process.stdout.write(
          `pushed: ${s.sent} sent, ${s.delivered} delivered, ${s.failed} failed, ${s.retried} retried\n`,
        );
        await clock.sleep(push.every, shutdown.signal).catch(() => undefined);
      }
    })();
  }
  await shutdown.done;
  await pushing;
  await sim.close();
  return 0;
}
