import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage mistake: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  readonly code = 'QW_USAGE';
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * A whole number written in digits (`12`, not `''`, `0x10` or `1e3`, which Number reads as 0, 16
 * and 1000), at most Number.MAX_SAFE_INTEGER.
 */
export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new UsageError(`--${name} takes a whole number, not ${JSON.stringify(value)}`);
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
    throw new UsageError(`--${name} takes a positive number up to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

/** The most --speed takes: 100,000 times real time (a real second is over a simulated day). */
export const MAX_SPEED = 100_000;
