import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import format from 'quick-format-unescaped';
import { SECRET_SETTINGS } from './secrets.js';
import { redactUrlCredentialsIn } from './redact-url.js';
import { attachLogSecrets, LogSecrets } from './log-secrets.js';
import type { Clock } from './clock.js';

export type { Logger };

export interface LogSettings {
  level: string;
  /** `json` for machines, `pretty` for people; `auto` picks pretty on a terminal. */
  format: 'json' | 'pretty' | 'auto';
}

/** Paths that may hold a secret in anything we log; pino replaces their values. */
const SECRET_KEYS = [...SECRET_SETTINGS, 'authorization'];
export const REDACT_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'headers.authorization'];

/**
 * A log call's arguments with its message's printf-style arguments (`log.info('%s=%s', k, v)`)
 * formatted into it, by pino's own formatter and the logger's own options, so that the message is
 * redacted whole: each argument alone was, and `password=` with its value in the next one, or a
 * URL put together from two, went out as it was.
 */
function withArgsFormatted(log: Logger, args: readonly unknown[]): unknown[] {
  const at = typeof args[0] === 'string' ? 0 : 1;
  const message = args[at];
  if (typeof message !== 'string' || args.length <= at + 1) return [...args];
  const options = (log as unknown as Record<symbol, object>)[pino.symbols.formatOptsSym];
  return [...args.slice(0, at), format(message, args.slice(at + 1), options)];
}

export interface CreateLoggerOptions {
  destination?: NodeJS.WritableStream;
  clock?: Clock;
  hideObjects?: boolean;
  /**
   * The configuration's secret values (YamlSource.secretValues: inline, from the environment or
   * a `*_file`): hidden wherever a line holds them, those of 6 characters or more
   * (util/log-secrets.ts); or the store that keeps them (a command's: processSecrets), kept as
   * it is, so that what is added to it later (a SIGHUP's re-read: rereadLogSecrets) is hidden too.
   */
  secrets?: Iterable<string> | LogSecrets;
}

/**
 * Logs go to stderr so that stdout stays free for data (`qoswatch once` prints samples there).
 */
export function createLogger(settings: LogSettings, options: CreateLoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const pretty = settings.format === 'pretty' || (settings.format === 'auto' && process.stderr.isTTY);
  const { clock } = options;
  const secrets = options.secrets instanceof LogSecrets ? options.secrets : new LogSecrets(options.secrets);
  const base: LoggerOptions = {
    level: settings.level,
    base: { service: 'qoswatch' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // A known secret value and a URL's user:password@ never reach the log, in a message, a
    // logged value or an error.
    hooks: {
      logMethod(args, method) {
        const redacted = withArgsFormatted(this, args).map((a) => redactUrlCredentialsIn(a, 4, secrets.hide));
        method.apply(this, redacted as typeof args);
      },
    },
    serializers: {
      err: (e: Error) => redactUrlCredentialsIn(pino.stdSerializers.err(e), 4, secrets.hide),
    },
    // In the demo, log times are the simulated clock's, so they match the meetings'.
    ...(clock ? { timestamp: () => `,"time":${clock.now()}` } : {}),
  };
  if (pretty) {
    // pino-pretty runs in a worker thread that pino starts from its own files by their path
    // (pino/lib/worker.js, thread-stream's worker): the pino bundled into the built command has
    // no such files (rolldown.config.ts), so this format takes pino as installed in node_modules,
    // loaded only here. Under src/ it is the same module as the import above.
    const installed = createRequire(import.meta.url)('pino') as { pino: typeof pino };
    return withSecrets(
      installed.pino({
        ...base,
        transport: {
          target: 'pino-pretty',
          options: {
            destination: 2,
            colorize: process.stderr.isTTY,
            translateTime: 'SYS:HH:MM:ss',
            ignore: 'pid,hostname,service',
            hideObject: options.hideObjects ?? false,
          },
        },
      }),
      secrets,
    );
  }
  return withSecrets(pino(base, destination), secrets);
}

function withSecrets(log: Logger, secrets: LogSecrets): Logger {
  attachLogSecrets(log, secrets);
  return log;
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
