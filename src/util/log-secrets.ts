import type { Logger } from 'pino';
import { utf16Bytes } from './base64-forms.js';
import { HiddenValues } from './hide-values.js';
import { REDACTED } from './redact-pairs.js';
import { redactUrlCredentials } from './redact-url.js';

/** Shorter values are not hidden in log lines: a secret such as `on` or `admin` would hide that word everywhere. */
export const MIN_LOG_SECRET = 6;

/**
 * The forms besides itself in which a server may echo a secret value `v`: as JSON writes it inside
 * a string (`"` and `\\` escaped), as a URL encodes it (encodeURIComponent), as a form does
 * (application/x-www-form-urlencoded, URLSearchParams: a space as `+`, `*` kept), as JavaScript's
 * escape() does (`%E4` for `ä`, `%u20AC` for `€`, `@` and `/` kept), their percent-escapes in
 * upper, lower or mixed case (util/hide-values.ts reads them in either: `%2f`, `%C3%a4`, and
 * reads every escape of a text besides, so that a value with some characters escaped and others
 * kept, as encodeURI or a JSON writer of `\u00e4` writes it, is found too), in hex (a dump of its
 * UTF-8 bytes or of its UTF-16 ones, LE or BE, and of its bytes as `od -x` writes them, looked for
 * in any case and with blanks or other separators between its bytes or groups), and in base64
 * (with its `=` padding and without) and base64url (util/hide-values.ts looks for these inside a
 * longer base64 text too, of its UTF-16 bytes too, and with their `+`, `/`, `=` escaped). None for a value under MIN_LOG_SECRET characters. The one list of them: the
 * log's (LogSecrets) and the Zoom token endpoint's (zoom/auth.ts scrubTokenError, before it cuts
 * the text short).
 */
export function secretForms(v: string): string[] {
  if (v.length < MIN_LOG_SECRET) return [];
  const bytes = Buffer.from(v, 'utf8');
  const base64 = bytes.toString('base64');
  const hex = bytes.toString('hex');
  return [
    JSON.stringify(v).slice(1, -1),
    encodeURIComponent(v),
    new URLSearchParams([['', v]]).toString().slice(1),
    // Form-encoded with only its spaces escaped, as `+`, the other characters kept.
    v.replaceAll(' ', '+'),
    jsEscape(v),
    hex,
    hex.toUpperCase(),
    // A dump with a blank between its bytes (`73 65 63`); util/hide-values.ts reads it in any case,
    // and each hex form with other separators (`xxd`'s `7365 6372`, `73:65`, `0x73, 0x65`).
    hex.replace(/..(?!$)/g, '$& '),
    // Hex of its UTF-16 bytes (LE, BE), and its bytes as `od -x` writes them (16-bit little-endian words).
    ...utf16Bytes(v).map((b) => b.toString('hex')),
    ...odWords(bytes),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
  ];
}

/**
 * The hex of `bytes` as `od -x` (and `hexdump` without options) writes it: each two bytes a 16-bit
 * word, little-endian, so its digits swapped by pairs; as the secret starts at an even byte of the
 * dump (its whole words), and at an odd one (the words after its first byte). A secret's first or
 * last byte that shares a word with a byte of the text around it is not in them: shown (said in
 * docs/configuration.md). None under 12 digits (util/hide-values.ts HEX_ONLY).
 */
function odWords(bytes: Buffer): string[] {
  const words = (b: Buffer): string =>
    Buffer.from(b.subarray(0, b.length - (b.length % 2)))
      .swap16()
      .toString('hex');
  return [words(bytes), words(bytes.subarray(1))].filter((w) => w.length >= 12);
}

/**
 * `v` as JavaScript's escape() writes it (deprecated, and still used by old clients): ASCII
 * letters, digits and `@*_+-./` as they are, other characters under U+0100 as `%XX`, the rest
 * as `%uXXXX` (each half of a surrogate pair alone).
 */
const jsEscape = (v: string): string =>
  v.replace(/[^A-Za-z0-9@*_+\-./]/g, (c) => {
    const code = c.charCodeAt(0);
    const hex = code.toString(16).toUpperCase();
    return code < 0x100 ? `%${hex.padStart(2, '0')}` : `%u${hex.padStart(4, '0')}`;
  });

/**
 * The secret values of the configuration (util/secret-values.ts: inline, from the environment or
 * from a `*_file`) that the logger hides wherever they appear, whatever stands around them: a
 * pattern (util/redact-pairs.ts) finds `password: x` but not a secret a server echoes in its
 * own words. Each is hidden as it is and in the forms secretForms gives.
 *
 * Two parts. The running values (`add`: the configuration the command loaded) stay hidden as long
 * as the process lives: the daemon does not apply a changed configuration (its Zoom client,
 * notifiers and listeners keep the values they were built with), so they are in use until a
 * restart, and an answer may echo them at any time. The values of the file as last read again on
 * SIGHUP (`reread`) are hidden beside them, and replaced at the next SIGHUP: they are in no
 * client and no request, so nothing in flight can print them once the next reading replaced them
 * (a secret rotated three times over three SIGHUPs leaves the running value and the latest
 * hidden, not every value between). So the set no longer grows with each SIGHUP.
 */
export class LogSecrets {
  private readonly running = new Set<string>();
  private latest: readonly string[] = [];
  private readonly hidden = new HiddenValues(REDACTED, MIN_LOG_SECRET, secretForms);

  constructor(values: Iterable<string> = []) {
    this.add(values);
  }

  /** Hides `values` (a configuration the process runs with) for as long as the process lives. */
  add(values: Iterable<string>): void {
    for (const v of values) this.running.add(v);
    this.hidden.set([...this.running, ...this.latest]);
  }

  /** Hides `values` (the file as read again on SIGHUP) in place of those of the reading before. */
  reread(values: Iterable<string>): void {
    this.latest = [...values];
    this.hidden.set([...this.running, ...this.latest]);
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
 * Gives the secrets `log` hides the values of the configuration file as read again on SIGHUP, in
 * place of the previous reading's (LogSecrets.reread); a logger that keeps none (a test's, a
 * library user's) is left as it is. The daemon's logger keeps processSecrets itself (cli/run.ts),
 * so an error main.ts prints hides them too.
 */
export function rereadLogSecrets(log: Logger, values: Iterable<string>): void {
  secretsOf(log)?.reread(values);
}

function secretsOf(log: Logger): LogSecrets | undefined {
  return (log as unknown as Record<symbol, LogSecrets | undefined>)[SECRETS];
}

/**
 * The secret values of the configuration this process loaded for a command (cli/common.ts
 * requireConfig) and, for the daemon, of its file as last read on SIGHUP: the one store of them.
 * The loggers of commands keep it (cli/common.ts commandLogger, cli/run.ts), and main.ts's
 * last-resort printer hides it in an error (`cannot start: ...`), which it prints without the
 * configuration at hand.
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
