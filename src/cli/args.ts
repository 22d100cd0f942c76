import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../util/did-you-mean.js';
import { excerpt, oneLine, shownText } from '../util/shown-text.js';

/** A usage mistake: one line, what is wrong and what is expected, then where the help is; exit code 2. */
export class UsageError extends Error {
  readonly code = 'QW_USAGE';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command takes besides its options: `max` of them, said as `what` ("test files"). */
export interface Operands {
  max: number;
  what: string;
}

/** A command of options only: an argument besides them was ignored, and is refused. */
const NO_OPERANDS: Operands = { max: 0, what: '' };

type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/**
 * `argv` read for a command of `options` that takes `operands` (none unless said): an unknown
 * option, an argument too many, or an option of one value given twice (`--config a --config b`
 * took b, saying nothing) is a usage error.
 */
export function parse<T extends Options>(argv: string[], options: T, operands = NO_OPERANDS): Parsed<T> {
  const args = joinNegativeValues(argv, options);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    throw new UsageError(usageText(err as Error & { code?: string }, args, options, operands));
  }
  refuseRepeated(parsed.tokens, options);
  if (parsed.positionals.length > operands.max)
    throw new UsageError(
      extraArgument(parsed.positionals, options, operands, (parsed.values as { config?: unknown }).config),
    );
  return { values: parsed.values, positionals: parsed.positionals };
}

/** An option that holds one value, given more than once: which one was meant is not known. */
function refuseRepeated(
  tokens: readonly { kind: string; name?: string; value?: string }[],
  options: Options,
): void {
  const given = new Map<string, string[]>();
  for (const t of tokens) {
    if (t.kind !== 'option' || !t.name || options[t.name]?.type !== 'string' || options[t.name]?.multiple)
      continue;
    given.set(t.name, [...(given.get(t.name) ?? []), t.value ?? '']);
  }
  for (const [name, values] of given)
    if (values.length > 1)
      throw new UsageError(
        `--${name} given ${values.length === 2 ? 'twice' : `${values.length} times`} (${values.map(shownText).join(', ')}); expected it once`,
      );
}

/** The message for the first argument past the `max` a command takes. */
function extraArgument(positionals: string[], options: Options, operands: Operands, config: unknown): string {
  const extra = positionals[operands.max]!;
  const known = Object.keys(options).map((k) => `--${k}`);
  const expected = operands.max
    ? `expected at most ${operands.max} ${operands.what}`
    : `expected options only${known.length ? ` (${known.join(', ')})` : ''}`;
  const hint =
    'config' in options && config === undefined && /\.ya?ml$/i.test(extra)
      ? `; for a config file write --config ${oneLine(excerpt(extra))}`
      : '';
  return `unexpected argument ${shownText(excerpt(extra))}; ${expected}${hint}`;
}

/** The option a parse error names: from its `--name` or `-c` in Node's message. */
function named(message: string, options: Options): string | undefined {
  const m = /'(?:-(\w), )?--([\w-]+)/.exec(message) ?? /'-(\w)'/.exec(message);
  if (!m) return undefined;
  if (m[2]) return m[2];
  return Object.keys(options).find((k) => options[k]!.short === m[1]);
}

/** Node's parseArgs errors in qoswatch's words: what is wrong; what is expected. */
function usageText(
  err: Error & { code?: string },
  args: string[],
  options: Options,
  operands: Operands,
): string {
  const name = named(err.message, options);
  const known = Object.keys(options)
    .map((k) => `--${k}`)
    .join(', ');
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(err.message)?.[1] ?? '';
    const only = operands.max ? `${operands.what} only` : 'nothing';
    const names = Object.keys(options).map((k) => `--${k}`);
    // `--conifg`: the option it is likely a typo of (a word far longer is none).
    const close = given.length <= 40 ? didYouMean(given, names) : undefined;
    const expected = close
      ? `did you mean ${close}?`
      : known
        ? `expected one of ${known}`
        : `expected ${only}; this command takes no options (but --help)`;
    return `unknown option ${oneLine(excerpt(given))}; ${expected}`;
  }
  if (name && /argument missing/.test(err.message))
    return `--${name} needs a value; expected --${name} ${name === 'config' ? 'FILE' : 'VALUE'}`;
  if (name && /does not take an argument/.test(err.message))
    return `--${name} takes no value; expected --${name} alone`;
  if (name && /ambiguous/.test(err.message)) {
    const i = args.findIndex((a) => a === `--${name}` || a === `-${String(options[name]?.short)}`);
    const next = args[i + 1] ?? '';
    return `--${name}: found ${next}, which reads as an option; expected a value (write --${name}=${next} if it is one)`;
  }
  return err.message.split('\n')[0]!;
}

/**
 * `--minutes -1` as `--minutes=-1`: a negative number after an option that takes a value is that
 * value (Node's parser calls it ambiguous), so the option's own check can say what is wrong.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const takesValue = (a: string): boolean => {
    const long = /^--([\w-]+)$/.exec(a)?.[1];
    const key = long ?? Object.keys(options).find((k) => a === `-${String(options[k]!.short)}`);
    return key !== undefined && options[key]?.type === 'string';
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (next !== undefined && /^-\d/.test(next) && takesValue(a)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** How a value is shown in a message: as written, quoted when empty or with spaces. */
const shown = (value: string): string => (/^\S+$/.test(value) ? value : JSON.stringify(value));

/**
 * A whole number written in digits (`12`, not `''`, `0x10` or `1e3`, which Number reads as 0, 16
 * and 1000), at most Number.MAX_SAFE_INTEGER.
 */
export function intOption(
  value: string | undefined,
  name: string,
  fallback: number,
  { min = 0, example = 10 }: { min?: 0 | 1; example?: number } = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `--${name}: ${shown(value)} is not a ${min ? 'positive ' : ''}whole number; expected e.g. --${name} ${example}`,
    );
  return n;
}

/**
 * A port to listen on: 1-65535, or 0 for a free one. Checked with the other options, before
 * anything starts: a port out of range met once a server was up left it running (`demo --port
 * 70000` never exited) or came out in Node's words (`simulate`: "options.port should be >= 0").
 */
export function portOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const digits = /^\d+$/.test(value.trim());
  const n = digits ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65_535))
    throw new UsageError(
      `--${name}: found ${digits ? value.trim() : JSON.stringify(value)}; expected a port from 1 to 65535, or 0 for a free one`,
    );
  return n;
}

/**
 * A positive number up to `max`. A speed of 1e300 made the demo's clock leave the dates a Date
 * holds: it hung, printing nothing, and did not stop on SIGTERM.
 */
export function numberOption(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() ? Number(value) : NaN;
  if (!(n > 0 && n <= max))
    throw new UsageError(
      `--${name}: ${shown(value)} is not a positive number up to ${max}; expected e.g. --${name} ${fallback}`,
    );
  return n;
}

/** The most --speed takes: 100,000 times real time (a real second is over a simulated day). */
export const MAX_SPEED = 100_000;
