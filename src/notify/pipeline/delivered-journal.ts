import { appendFileSync, closeSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { fsyncDir } from '../../util/atomic-file.js';
import { isJsonObject, ownMap } from '../../util/json-object.js';
import { FileTooBigError, readRegularText } from '../../util/regular-file.js';
import { plural } from '../../util/words.js';

/** The journal may grow to half of notify.json's size, and to this at least. */
const JOURNAL_MIN_BYTES = 64 * 1024;

/** The most the journal may hold beside a notify.json of `wholeBytes` bytes. */
const limitBeside = (wholeBytes: number): number => Math.max(JOURNAL_MIN_BYTES, Math.floor(wholeBytes / 2));

/** What a start-up found in the journal besides the ids it applied (said in one log line). */
interface JournalTally {
  applied: number;
  /** A last line without its line feed: a kill mid-append (its notifications may go again). */
  torn: number;
  /** Lines that are not a journal line (garbage). */
  garbage: number;
  /** Lines of an earlier notify.json (a kill between its whole write and the journal's removal). */
  stale: number;
  /** Ids of this notify.json's journal that its outbox does not hold. */
  unknown: number;
}

/**
 * Notifier memory changed since notify.json was last written whole, by notifier and key: the
 * new value, or null for a key deleted (Slack's record of a group's thread, step by step).
 */
export type MemoryChanges = Record<string, Record<string, string | null>>;

/** What one journal line says. */
interface JournalLine {
  after: number;
  ids: string[];
  mem?: MemoryChanges;
}

/**
 * Beside notify.json: what changed since notify.json was last written whole when it is only
 * notifications leaving the outbox (delivered or given up) and notifier memory (a Slack
 * delivery records its message's thread, step by step), one line each save,
 * `{"after":G,"ids":[...],"mem":{"slack":{"thread:k":"...","report:r":null}}}` (`mem` only when
 * memory changed), appended and fsynced before the next send or call, as notify.json was
 * written whole after every delivery and every step before (a 1.5 MB file with 360 groups,
 * rewritten and fsynced three times a second: disk writes grew with the square of the groups).
 * `after` is the `generation` of the notify.json it follows: a line of another one (left by a
 * kill between a whole write and the journal's removal) says nothing. At start-up the lines of
 * this notify.json are applied in order: their ids leave the saved outbox, their memory values
 * are set (or deleted), so applying a line again changes nothing. A line torn by a kill
 * mid-append is skipped (its notification is sent again, under its id, or its call made again,
 * as after a kill between a send and its record). Bounded: half of notify.json (64 KiB at
 * least); then notify.json is written whole and the journal removed.
 */
export class DeliveredJournal {
  private bytes = 0;
  /** Appends are safe: the file is known to be absent or to end with a whole line of ours. */
  private ours = false;
  private removeFailed = false;

  constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /** Known to hold no line: notify.json may be written whole under the same generation. */
  get empty(): boolean {
    return this.ours && this.bytes === 0;
  }

  /**
   * At start-up: the saved outbox (of notify.json `generation`, `wholeBytes` long) without the
   * notifications the journal says left it; the memory changes it holds are applied to
   * `notifiers`, line by line. Whatever else it holds is counted and logged once; a journal that
   * cannot be read or is larger than one beside that notify.json can be is ignored (its
   * notifications may be sent again, under their ids: never lost).
   */
  replay<T extends { notification: { id: string } }>(
    outbox: T[],
    notifiers: Record<string, Record<string, string>>,
    generation: number,
    wholeBytes: number,
  ): T[] {
    const text = this.read(limitBeside(wholeBytes));
    if (text === undefined) return outbox;
    const tally: JournalTally = { applied: 0, torn: 0, garbage: 0, stale: 0, unknown: 0 };
    const left = new Set<string>();
    for (const line of this.linesOf(text, generation, tally)) {
      for (const id of line.ids) left.add(id);
      if (line.mem) applyMemory(notifiers, line.mem);
    }
    const queued = new Set(outbox.map((i) => i.notification.id));
    for (const id of left) if (queued.has(id)) tally.applied++;
    tally.unknown = left.size - tally.applied;
    this.say(tally);
    return left.size ? outbox.filter((i) => !left.has(i.notification.id)) : outbox;
  }

  /** Its text, or undefined when there is none or it cannot be used (said). */
  private read(maxBytes: number): string | undefined {
    try {
      return readRegularText(this.file, { maxBytes });
    } catch (err) {
      this.ours = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (this.ours) return undefined;
      const why =
        err instanceof FileTooBigError
          ? `it is ${err.size} bytes, more than the ${maxBytes} a journal beside this notify.json holds`
          : (err as Error).message;
      this.log.warn(
        { file: this.file, err: why },
        `state file ${this.file} is not usable: ${why}; ignored: the notifications it names may be sent again (under their ids)`,
      );
      return undefined;
    }
  }

  /** The lines that follow notify.json `generation`, in order; the other lines counted in `tally`. */
  private linesOf(text: string, generation: number, tally: JournalTally): JournalLine[] {
    const found: JournalLine[] = [];
    const lines = text.split('\n');
    const last = lines.pop(); // '' after the last line feed; else a line torn mid-append
    if (last) tally.torn++;
    for (const line of lines) {
      const parsed = parseLine(line);
      if (!parsed) tally.garbage++;
      else if (parsed.after !== generation) tally.stale++;
      else found.push(parsed);
    }
    return found;
  }

  private say(t: JournalTally): void {
    if (!t.torn && !t.garbage && !t.stale && !t.unknown) return;
    const parts = [
      t.torn ? 'a last line torn by a stop mid-append (its notifications may be sent again)' : '',
      t.garbage === 1 ? '1 line that is not a journal line' : '',
      t.garbage > 1 ? `${t.garbage} lines that are not journal lines` : '',
      t.stale ? `${plural(t.stale, 'line')} of an earlier notify.json` : '',
      t.unknown ? `${plural(t.unknown, 'id')} not in the outbox` : '',
    ].filter(Boolean);
    // A torn or stale line is what a kill leaves; garbage or ids of nothing are not.
    const level = t.garbage || t.unknown ? 'warn' : 'info';
    this.log[level](
      { file: this.file, ...t },
      `state file ${this.file}: ${plural(t.applied, 'delivered notification')} left the outbox; skipped ${parts.join(', ')}`,
    );
  }

  /**
   * Appends `ids` (delivered since notify.json `generation` was written, `wholeBytes` long) and
   * the memory changed since (`mem`) durably, if the journal stays within half of notify.json
   * (64 KiB at least); false when it would not or cannot be written: then the caller writes
   * notify.json whole (a failure there is counted and logged).
   */
  record(ids: readonly string[], mem: MemoryChanges, generation: number, wholeBytes: number): boolean {
    if (!this.ours) return false;
    // `ids` always, `mem` only when memory changed: a qoswatch of before `mem` reads the line's ids.
    const line = `${JSON.stringify({ after: generation, ids, ...(Object.keys(mem).length ? { mem } : {}) })}\n`;
    const lineBytes = Buffer.byteLength(line);
    if (this.bytes + lineBytes > limitBeside(wholeBytes)) return false;
    try {
      this.append(line);
    } catch {
      this.ours = false; // it may end with part of the line: no append until it is removed
      return false;
    }
    this.bytes += lineBytes;
    return true;
  }

  private append(line: string): void {
    const created = this.bytes === 0;
    const fd = openSync(this.file, 'a', 0o600);
    try {
      appendFileSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (created) fsyncDir(dirname(this.file));
  }

  /**
   * notify.json was written whole: what the journal held is in there, it goes. One that cannot
   * be removed is logged once, and not appended to until it is (notify.json is written whole).
   */
  clear(): void {
    if (this.ours && this.bytes === 0) return;
    try {
      rmSync(this.file, { force: true });
    } catch (err) {
      if (!this.removeFailed)
        this.log.error(
          { file: this.file, err: (err as Error).message },
          `cannot remove state file ${this.file}: ${(err as Error).message}; notify.json is written whole after every delivery until it can be`,
        );
      this.removeFailed = true;
      this.ours = false;
      return;
    }
    this.removeFailed = false;
    this.ours = true;
    this.bytes = 0;
  }
}

/** Sets (or deletes, null) each value of `mem` in `notifiers`: applied again, it changes nothing. */
function applyMemory(notifiers: Record<string, Record<string, string>>, mem: MemoryChanges): void {
  for (const [name, changes] of Object.entries(mem)) {
    const m = ownMap(notifiers, name);
    for (const [key, value] of Object.entries(changes))
      if (value === null) delete m[key];
      else m[key] = value;
  }
}

/** A name or key a line may not hold: assigned, it would change an object's prototype. */
const PROTO = '__proto__';

/** Notifier memory changes as a line holds them, or undefined when they are not. */
function memoryOf(v: unknown): MemoryChanges | undefined {
  if (!isJsonObject(v)) return undefined;
  for (const [name, changes] of Object.entries(v)) {
    if (name === PROTO || !isJsonObject(changes)) return undefined;
    for (const [key, value] of Object.entries(changes))
      if (key === PROTO || (value !== null && typeof value !== 'string')) return undefined;
  }
  return v as MemoryChanges;
}

/** A journal line, or undefined when it is not one. */
function parseLine(line: string): JournalLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isJsonObject(v) || !Number.isSafeInteger(v.after) || !Array.isArray(v.ids)) return undefined;
  const ids: unknown[] = v.ids;
  if (!ids.every((id) => typeof id === 'string')) return undefined;
  if (v.mem === undefined) return { after: v.after as number, ids };
  const mem = memoryOf(v.mem);
  return mem ? { after: v.after as number, ids, mem } : undefined;
}
