import type { Logger } from 'pino';
import { HiddenValues } from './hide-values.js';
import { REDACTED } from './redact-pairs.js';
import { redactUrlCredentials } from './redact-url.js';

/** Shorter values are not hidden in log lines: a secret such as `on` or `admin` would hide that word everywhere. */
export const MIN_LOG_SECRET = 6;

/**
 * The secret values of the configuration (util/secret-values.ts: inline, from the environment or
 * from a `*_file`) that the logger hides wherever they appear, whatever stands around them: a
 * pattern (util/redact-pairs.ts) finds `password: x` but not a secret a server echoes in its
 * own words. Values are only ever added (a reload's new ones beside the old, which may still be in
 * flight). Each is hidden as it is, as JSON writes it inside a string (`"` and `\` escaped) and
 * as a URL encodes it.
 */
export class LogSecrets {
  private readonly values = new Set<string>();
  private readonly hidden = new HiddenValues(REDACTED, MIN_LOG_SECRET, (v) =>
    v.length >= MIN_LOG_SECRET ? [JSON.stringify(v).slice(1, -1), encodeURIComponent(v)] : [],
  );

  constructor(values: Iterable<string> = []) {
    this.add(values);
  }

  add(values: Iterable<string>): void {
    for (const v of values) this.values.add(v);
    this.hidden.set(this.values);
  }

  /** `text` with every known secret value in it replaced by `[redacted]`: one search per form, longest first. */
  readonly hide = (text: string): string => this.hidden.hide(text);
}

/** Where a logger made by createLogger keeps its secrets; its children find them through their prototype. */
const SECRETS = Symbol('qoswatch.logSecrets');

/** Gives `log` (and its children) `secrets` to hide. */
export function attachLogSecrets(log: Logger, secrets: LogSecrets): void {
  Object.defineProperty(log, SECRETS, { value: secrets });
}

/**
 * Adds `values` to the secrets `log` hides (a configuration read again on SIGHUP); a logger that
 * keeps none (a test's, a library user's) is left as it is.
 */
export function addLogSecrets(log: Logger, values: Iterable<string>): void {
  secretsOf(log)?.add(values);
}

function secretsOf(log: Logger): LogSecrets | undefined {
  return (log as unknown as Record<symbol, LogSecrets | undefined>)[SECRETS];
}

/**
 * The secret values of every configuration this process loaded for a command (cli/common.ts
 * requireConfig, and a SIGHUP's re-read): what main.ts's last-resort printer hides in an error
 * (`cannot start: ...`), which it prints without the configuration at hand.
 */
export const processSecrets = new LogSecrets();

/**
 * `text` hidden as a log line is (the secrets `log` keeps, if any, then the patterns:
 * util/redact-url.ts), for what is written elsewhere: a failed send's message kept in a state file.
 */
export function hiddenAsLogged(log: Logger, text: string): string {
  const secrets = secretsOf(log);
  return redactUrlCredentials(secrets ? secrets.hide(text) : text);
}

/** `text` with the secret values of the configurations this process loaded (processSecrets) and the patterns hidden. */
export const hiddenFromProcess = (text: string): string => redactUrlCredentials(processSecrets.hide(text));
