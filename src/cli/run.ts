import { Daemon } from '../daemon.js';
import { describeChange } from '../evaluate/describe.js';
import { systemClock } from '../util/clock.js';
import { createLogger } from '../util/logger.js';
import { parse } from './args.js';
import { requireConfig } from './common.js';
import { onShutdown } from './signals.js';

export const runHelp = `qoswatch run --config FILE [--dry-run]

Runs the daemon: discovers live meetings, webinars and Video SDK sessions, polls their
participants' QoS inside Zoom's rate limits and daily budget, evaluates the rules, and
serves /metrics, /healthz, /readyz and /api/v1 on metrics.listen. SIGHUP (or a changed rule file) reloads the
rules; an invalid set is logged and the old one keeps running. SIGTERM or SIGINT stops it
cleanly (exit 0).

  --dry-run   evaluate and route as usual, but print what each notifier would send instead
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' }, 'dry-run': { type: 'boolean' } });
  const config = requireConfig(values.config);
  const log = createLogger(config.log);
  const daemon = new Daemon(config, { clock: systemClock, log });
  daemon.onAlerts((changes) => {
    for (const c of changes) if (c.state !== 'pending') log.warn({ alert: c.alert }, describeChange(c));
  });
  await daemon.startNotifications({ dryRun: values['dry-run'] ?? false });
  if (config.rules.watch) daemon.watchRules();
  const onHup = (): void => void daemon.reloadRules();
  process.on('SIGHUP', onHup);
  const url = await daemon.listen();
  log.info({ url, sources: config.sources }, `qoswatch running; health on ${url}/healthz`);
  const { signal } = onShutdown();
  await daemon.run(signal);
  process.off('SIGHUP', onHup);
  log.info('stopped');
  log.flush();
  return 0;
}
