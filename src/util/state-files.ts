import { copyFileSync, renameSync } from 'node:fs';
import { basename } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Logger } from 'pino';
import { writeFileAtomic } from './atomic-file.js';
import { nestedDeeperThan } from './json-depth.js';
import { systemClock } from './clock.js';
import { silentLogger } from './logger.js';
import { plural } from './words.js';
import { validator } from './validators.js';
import { FileTooBigError, NotRegularFileError, readRegularText, tooBigText } from './regular-file.js';

/**
 * Bounds on a state file read at start, checked before it is parsed: a damaged or planted file
 * must cost a log line, not the daemon's memory. The largest real ones (alerts.json in a storm
 * of tens of thousands of alerts, a stored report) are a few tens of MB and nest under ten levels.
 */
const MAX_STATE_FILE_BYTES = 256 * 1024 * 1024;
const MAX_STATE_DEPTH = 64;

/** What a state file's check makes of its parsed JSON: the usable part and what it threw away, or why none of it is usable. */
export type StateCheck<T> = (raw: unknown) => { value: T; discarded: string[] } | { error: string };

/**
 * What can still be made of a file none of which the check accepts (truncated, a field
 * unusable): a value to start from instead of nothing, and what it is, for the log line
 * (`fields` go into the line's JSON). Undefined: nothing.
 */
export type StateSalvage<T> = (
  text: string,
) => { value: T; note: string; fields?: Record<string, unknown> } | undefined;

/**
 * Reads and writes the files in `state.dir` (alert state, notification outbox and log, daily
 * budget). Writes are durable (fsynced) and never throw: a write that fails (disk full,
 * read-only) is counted per file, logged once per episode, and retried by `retry()` until it
 * succeeds, while the daemon carries on from memory. Reads are checked: a file that is not
 * JSON or has the wrong shape, or entries that are bad, are set aside as
 * `<file>.corrupt-<time>`, logged once naming the file and what was discarded, and the daemon
 * starts with what is valid.
 */
export class StateFiles {
  /** Failed writes by file name (`notify.json`), for `qoswatch_state_write_failures_total`. */
  readonly failures = new Map<string, number>();
  /** Data whose write failed, by path: written again by `retry()` (a newer write replaces it). */
  private readonly unsaved = new Map<string, string>();
  /** Paths whose failed writes their writer tries again itself, at its own pace (not `retry()`). */
  private readonly ownRetry = new Set<string>();
  /** Why the last write of a path failed (its error code), while it is unsaved. */
  private readonly failedCodes = new Map<string, string>();

  constructor(
    readonly log: Logger = silentLogger(),
    private readonly now: () => number = () => systemClock.now(),
  ) {}

  /** Writes `data` (durably unless `durable` is false). False when it could not (it is kept and retried). */
  write(file: string, data: string, durable = true): boolean {
    try {
      writeFileAtomic(file, data, durable);
    } catch (err) {
      const name = basename(file);
      this.failedCodes.set(file, (err as NodeJS.ErrnoException).code ?? 'unknown');
      this.failures.set(name, (this.failures.get(name) ?? 0) + 1);
      if (!this.unsaved.has(file))
        this.log.error(
          { file, code: (err as NodeJS.ErrnoException).code, err: (err as Error).message },
          `cannot write state file ${file}: ${(err as Error).message}; carrying on from memory and retrying`,
        );
      this.unsaved.set(file, data);
      return false;
    }
    this.failedCodes.delete(file);
    if (this.unsaved.delete(file)) this.log.info({ file }, `state file ${file} written again`);
    return true;
  }

  /** Writes again what could not be written (but the files whose writers retry them: `retriedByWriter`). */
  retry(): void {
    for (const [file, data] of [...this.unsaved]) if (!this.ownRetry.has(file)) this.write(file, data);
  }

  /** `retry()` leaves `file` alone: its writer tries it again at its own pace (pushed.json, written whole). */
  retriedByWriter(file: string): void {
    this.ownRetry.add(file);
  }

  /** Why the last write of `file` failed (an error code such as `EACCES`), while its newest content is not on disk. */
  failureCode(file: string): string | undefined {
    return this.failedCodes.get(file);
  }

  /** Files whose newest content is not on disk. */
  get unsavedFiles(): string[] {
    return [...this.unsaved.keys()];
  }

  /**
   * The valid part of a state file, or undefined when it is missing or none of it is valid.
   * Whatever is discarded is kept in a copy and logged once. When none of it is valid,
   * `salvage` may still make a value of its text (said in the same line).
   */
  read<T>(file: string, check: StateCheck<T>, salvage?: StateSalvage<T>): T | undefined {
    let text: string;
    try {
      text = readRegularText(file, { maxBytes: MAX_STATE_FILE_BYTES });
    } catch (err) {
      if (err instanceof FileTooBigError)
        return this.setAsideWhole(file, `it ${tooBigText(err, 'a state file')}`, undefined);
      // A named pipe would have made the daemon wait forever: moved aside like a corrupt file.
      if (err instanceof NotRegularFileError)
        return this.setAsideWhole(file, `it is ${err.kind}; expected a regular file`, undefined);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.log.error(
        { file, err: (err as Error).message },
        `cannot read state file ${file}; starting without it`,
      );
      return undefined;
    }
    if (nestedDeeperThan(text, MAX_STATE_DEPTH))
      return this.setAsideWhole(
        file,
        `it nests over ${MAX_STATE_DEPTH} levels deep (no state file does)`,
        undefined,
      );
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.setAsideWhole(
        file,
        `it is not valid JSON (truncated or garbage, ${plural(text.length, 'byte')})`,
        salvage?.(text),
      );
    }
    const result = check(raw);
    if ('error' in result) return this.setAsideWhole(file, result.error, salvage?.(text));
    if (result.discarded.length) this.setAside(file, 'it has bad entries', result.discarded, true);
    return result.value;
  }

  /** None of the file is usable: set aside whole, and what `salvage` made of it (if anything) said and returned. */
  private setAsideWhole<T>(file: string, why: string, salvaged: ReturnType<StateSalvage<T>>): T | undefined {
    this.setAside(file, why, [], false, salvaged);
    return salvaged?.value;
  }

  private setAside(
    file: string,
    why: string,
    discarded: string[],
    kept = false,
    salvaged?: { note: string; fields?: Record<string, unknown> },
  ): void {
    const copy = `${file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
    const whole = !kept && !discarded.length;
    // Discarded whole, the file is moved away: left in place, every start would read, log and
    // copy it again until something rewrote it (a damaged instances.json: 200 MB a restart).
    const keptAs = whole ? moveOrCopy(file, copy) : copyOrNot(file, copy);
    const saved = keptAs !== undefined;
    const list =
      discarded.slice(0, 5).join('; ') + (discarded.length > 5 ? `; and ${discarded.length - 5} more` : '');
    this.log.error(
      {
        file,
        copy: saved ? copy : undefined,
        // Not "discarded: 0" for a file discarded whole (a count of its entries would read as nothing lost).
        ...(whole ? { discarded_whole_file: true } : { discarded: discarded.length }),
        ...salvaged?.fields,
      },
      `state file ${file} is corrupt: ${why}` +
        (discarded.length ? `; discarded ${discarded.length}: ${list}` : '; discarded the whole file') +
        (keptAs === 'moved'
          ? `; moved to ${copy}`
          : saved
            ? `; a copy is kept at ${copy}`
            : '; no copy could be kept') +
        (salvaged
          ? `; starting from ${salvaged.note}`
          : kept
            ? '; starting with the valid rest'
            : '; starting without it'),
    );
  }
}

/** Moves a discarded file aside (a copy when it cannot be renamed); undefined when neither worked. */
function moveOrCopy(file: string, to: string): 'moved' | 'copied' | undefined {
  try {
    renameSync(file, to);
    return 'moved';
  } catch {
    return copyOrNot(file, to);
  }
}

function copyOrNot(file: string, to: string): 'copied' | undefined {
  try {
    copyFileSync(file, to);
    return 'copied';
  } catch {
    return undefined;
  }
}

/** Epoch milliseconds a state file may hold (JavaScript's Date range, not negative). */
export const TIME = { type: 'number', minimum: 0, maximum: 8.64e15 } as const;
export const COUNT = { type: 'integer', minimum: 0, maximum: 1e12 } as const;
export const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;
/** A meeting, webinar or session as a state file keeps it (normalize/sample.ts's InstanceRef). */
export const INSTANCE_REF = {
  type: 'object',
  required: ['kind', 'id', 'uuid', 'topic'],
  properties: {
    kind: { enum: ['meeting', 'webinar', 'session'] },
    id: { type: 'string' },
    uuid: { type: 'string', minLength: 1 },
    topic: { type: 'string' },
  },
} as const;
/** An alert's context: who and where, in words and counts. */
export const CONTEXT = { type: 'object', additionalProperties: { type: ['string', 'number'] } } as const;

/**
 * Keeps the entries `valid` accepts, describing each one it drops (`what[3]: why`). A value
 * that is not an array (or object, for maps) drops the whole collection.
 */
export function validEntries<T>(
  what: string,
  raw: unknown,
  valid: (v: unknown) => string | undefined,
  discarded: string[],
): T[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    discarded.push(`${what}: not a list`);
    return [];
  }
  const out: T[] = [];
  raw.forEach((v: unknown, i) => {
    const why = valid(v);
    if (why) discarded.push(`${what}[${i}]: ${why}`);
    else out.push(v as T);
  });
  return out;
}

/** Like validEntries, for a JSON object used as a map. */
export function validMap<T>(
  what: string,
  raw: unknown,
  valid: (v: unknown) => string | undefined,
  discarded: string[],
): Record<string, T> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    discarded.push(`${what}: not an object`);
    return {};
  }
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(raw)) {
    const why = valid(v);
    if (why) discarded.push(`${what}[${JSON.stringify(k).slice(0, 80)}]: ${why}`);
    else out[k] = v as T;
  }
  return out;
}

/** Every schema given to entryCheck, for the build's generated validators. */
const STATE_SCHEMAS: object[] = [];
export const stateSchemas = (): readonly object[] => STATE_SCHEMAS;

/**
 * A check of one entry against a JSON Schema: undefined when valid, else the first problem. The
 * validator is found (or compiled) when the first entry is checked.
 */
export function entryCheck(schema: object): (v: unknown) => string | undefined {
  STATE_SCHEMAS.push(schema);
  let validate: ValidateFunction | undefined;
  return (v) => {
    validate ??= validator('state', schema);
    if (validate(v)) return undefined;
    const e = validate.errors?.[0];
    return e ? `${e.instancePath || '(entry)'} ${e.message ?? 'is invalid'}` : 'is invalid';
  };
}
