import { configSnapshot, rereadConfig } from '../app/config-reread.js';
import { Daemon } from '../app/daemon.js';
import { describeChange } from '../evaluate/describe.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { removeStaleTempFiles } from '../util/atomic-file.js';
import { lockStateDir } from '../util/state-lock.js';
import { checkStateDir } from '../app/state-dir.js';
import { parse } from './args.js';
import { configLogger, logZoomProxy, requireConfig } from './common.js';
import { onShutdown } from '../util/signals.js';

export const runHelp = `qoswatch run --config FILE [--dry-run]

Runs the daemon: discovers live meetings, webinars and Video SDK sessions, polls their
participants' QoS inside Zoom's rate limits and daily budget, evaluates the rules, and
serves /metrics, /healthz, /readyz and /api/v1 on metrics.listen (/readyz answers 200 once
it runs, without waiting for the first poll cycle; 503 after a cycle Zoom did not answer).
SIGHUP (or a changed rule file) reloads the rules; an invalid set is logged and the old one
keeps running. SIGHUP also reads the config file again but applies none of it: it logs the
file's problems at file:line:col, or the settings that changed and need a restart. SIGTERM or SIGINT stops it
cleanly (exit 0) within shutdown_timeout + 1 s; exit 1 when some state could not be saved
(the log says what). A start-up failure (port in use, unusable TLS files, state dir not
writable) exits 1 with one line saying why. One instance runs per state dir
(state.dir/qoswatch.lock): a second one started on the same dir exits 1 saying which process
holds it.

  --dry-run   evaluate and route as usual, but print what each notifier would send instead
`;

/**
 * `shutdown`: what stops it (signals.ts), taken before anything else (main.ts takes it before
 * this module is even loaded): a SIGTERM during start-up stops the daemon as soon as it started.
 */
export async function run(argv: string[], shutdown = onShutdown()): Promise<number> {
  const { signal } = shutdown;
  const { values } = parse(argv, { config: { type: 'string', short: 'c' }, 'dry-run': { type: 'boolean' } });
  const config = requireConfig(values.config);
  const started = configSnapshot(config.file);
  const log = configLogger(config);
  // The state dir is checked and locked before the daemon is built: its webhook service opens
  // the spool (cutting a torn last line) and rewrites seen-*.json and the done offset as it is
  // built, which a second process refused by the lock did to the running one's files.
  try {
    logZoomProxy(log);
    checkStateDir(config.stateDir);
    process.once('exit', lockStateDir(config.stateDir)); // before the port: say who holds the dir
  } catch (err) {
    throw new Error(`cannot start: ${(err as Error).message}`, { cause: err });
  }
  const stale = removeStaleTempFiles(config.stateDir);
  if (stale.length)
    log.info(
      { files: stale },
      `removed ${stale.length} temporary state file(s) left by a write that was killed`,
    );
  const daemon = new Daemon(config, { clock: systemClock, log });
  let starting = true;
  let grace: NodeJS.Timeout | undefined;
  const graced = (): void => {
    if (starting) log.info(`${stopReason(signal)} during start-up: stopping as soon as it has started`);
    grace = exitAfterGrace(daemon, config.run.shutdownTimeoutMs, log);
  };
  if (signal.aborted) graced();
  else signal.addEventListener('abort', graced, { once: true });
  daemon.onAlerts((changes) => {
    for (const c of changes) if (c.state !== 'pending') log.warn({ alert: c.alert }, describeChange(c));
  });
  // Fail fast: anything that cannot start closes what was opened and exits 1 with one line.
  let url: string;
  try {
    url = await daemon.listen();
    await daemon.startNotifications({ dryRun: values['dry-run'] ?? false });
    if (config.run.watchRules) daemon.watchRules();
  } catch (err) {
    await daemon.closeWithoutSaving();
    throw new Error(`cannot start: ${(err as Error).message}`, { cause: err });
  }
  const onHup = (): void => {
    daemon.reloadRules();
    rereadConfig(config.file, started, log);
  };
  process.on('SIGHUP', onHup);
  starting = false;
  log.info({ url, sources: config.sources }, `qoswatch running; health on ${url}/healthz`);
  const unsaved = await daemon.run(signal);
  // Stopped: what it says now is the outcome. The grace timer could fire between "stopped" and
  // the exit and say it did not stop (exit 1; outside tester, stop 34: 5 of ~60 stops).
  clearTimeout(grace);
  process.off('SIGHUP', onHup);
  if (unsaved.length) {
    log.error({ unsaved }, `stopped; not saved: ${unsaved.join('; ')}`);
    log.flush();
    return 1;
  }
  log.info('stopped');
  log.flush();
  exitWhenLeftRunning(0);
  return 0;
}

/** What stopped it, in words ("received SIGTERM"; signals.ts). */
const stopReason = (signal: AbortSignal): string =>
  signal.reason instanceof Error ? signal.reason.message : 'stop asked';

/**
 * Stopped with everything saved: a handle a notifier left behind does not keep the process
 * alive until the grace timer says it did not stop (exit 1). nodemailer cannot abort a send, so
 * its socket to an SMTP server that never greets stayed open for its 15 s greeting timeout after
 * a SIGTERM (outside tester, stop 29). The call was given up at the stop and is sent again at the
 * next start, as any call the stop cut off. A process that ends by itself ends first.
 */
function exitWhenLeftRunning(code: number): void {
  setTimeout(() => process.exit(code), 200).unref();
}

/** How long after shutdown_timeout the last guard exits: what its message says, too. */
const GRACE_MARGIN_MS = 500;

/**
 * The last guard of a clean stop: whatever hangs (a notifier that does not close, a disk that
 * does not answer), the process exits 1 within shutdown_timeout + 1 s of SIGTERM, saying
 * what it did not save. The timer fires at shutdown_timeout + 0.5 s (and says so), leaving the
 * rest for a busy event loop, the log flush and the exit itself.
 */
function exitAfterGrace(daemon: Daemon, graceMs: number, log: Logger): NodeJS.Timeout {
  return setTimeout(() => {
    log.error(
      { unsaved: daemon.notSaved() },
      `did not stop within shutdown_timeout + ${GRACE_MARGIN_MS / 1000}s; exiting; not saved: ${daemon.notSaved().join('; ') || 'nothing'}`,
    );
    log.flush();
    process.exit(1);
  }, graceMs + GRACE_MARGIN_MS).unref();
}
