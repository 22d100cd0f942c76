import { Daemon } from '../app/daemon.js';
import { sampleToJson } from '../normalize/sample-json.js';
import { systemClock } from '../util/clock.js';
import { parse } from './args.js';
import { commandLogger, logZoomProxy, requireConfig } from './common.js';

export const onceHelp = `qoswatch once --config FILE

Polls one full cycle (every live instance once) and prints every normalized sample as one
JSON object per line on stdout; logs go to stderr. For checking credentials and writing rules.
Fields: docs/samples.md. Exit 1 when Zoom could not be read.
`;

export async function once(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  const config = requireConfig(values.config);
  const log = commandLogger(config);
  logZoomProxy(log);
  const out: string[] = [];
  // Without webhooks: once receives no pushes, and building their service would open (and
  // change) the spool and memory of a daemon running on the same state.dir.
  const polling = { ...config };
  delete polling.webhooks;
  const daemon = new Daemon(polling, {
    clock: systemClock,
    log,
    sinks: [
      {
        handle: (e) =>
          e.type === 'samples' && out.push(...e.samples.map((s) => JSON.stringify(sampleToJson(s)))),
      },
    ],
  });
  const { report, answered } = await daemon.runOnce();
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  log.info(
    { live: report.live, samples: report.samples, calls: report.calls, errors: report.errors },
    'one cycle done',
  );
  return answered ? 0 : 1;
}
