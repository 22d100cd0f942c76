import { statSync } from 'node:fs';
import { loadConfig, type LoadOptions } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { SourceKind } from '../normalize/sample.js';
import { processSecrets } from '../util/log-secrets.js';
import { createLogger, type Logger } from '../util/logger.js';
import { zoomProxy } from '../zoom/proxy.js';
import { UsageError } from './args.js';

export function requireConfig(file: string | undefined, options: LoadOptions = {}): Config {
  if (!file) throw new UsageError('--config FILE is required');
  // A folder was read as a file: Node's "EISDIR: illegal operation on a directory" (outside tester).
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`--config ${file}: is a folder; expected a YAML file`);
  const config = loadConfig(file, process.env, options);
  // An error the command throws from here on is printed by main.ts, which hides these.
  processSecrets.add(config.source.secretValues());
  return config;
}

const KINDS: readonly SourceKind[] = ['meeting', 'webinar', 'session'];

/** `--kind`: what an id names (default meeting). */
export function kindOption(value: string | undefined): SourceKind {
  const kind = (value ?? 'meeting') as SourceKind;
  if (!KINDS.includes(kind))
    throw new UsageError(`--kind is meeting, webinar or session, not ${JSON.stringify(value)}`);
  return kind;
}

/**
 * An instance id (or UUID) given on the command line. "" names nothing, and "." or ".." would be
 * dropped from a URL as a dot segment and ask for another endpoint: usage errors (exit 2).
 */
export function instanceId(id: string): string {
  if (id === '' || id === '.' || id === '..')
    throw new UsageError(`${JSON.stringify(id)} is not a valid meeting, webinar or session id`);
  return id;
}

/**
 * The logger of a command that read `config` (requireConfig), as `settings` say (the config's
 * log settings): it hides the config's secret values with processSecrets itself, the one store of
 * them, so that a SIGHUP's re-read (app/config-reread.ts) reaches the log and an error main.ts
 * prints alike.
 */
export const configLogger = (config: Config, settings = config.log): Logger =>
  createLogger(settings, { secrets: processSecrets });

/** The logger of a one-shot command: the config's, in JSON unless a format is set. */
export const commandLogger = (config: Config): Logger =>
  configLogger(config, { ...config.log, format: config.log.format === 'auto' ? 'json' : config.log.format });

/** Logs which proxy Zoom calls go through, if any; a proxy variable holding no usable URL stops the command. */
export function logZoomProxy(log: Logger): void {
  const proxy = zoomProxy();
  if (proxy) log.info({ proxy: proxy.shown }, proxy.shown);
}
