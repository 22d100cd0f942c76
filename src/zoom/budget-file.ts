import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { makeDir } from '../util/make-dir.js';
import { readRegularText } from '../util/regular-file.js';
import { dirname, join } from 'node:path';
import { processAlive } from '../util/process-alive.js';
import { StateFiles } from '../util/state-files.js';
import { PendingJournal } from './budget-pending.js';
import {
  checkBudget,
  standing,
  ttlOf,
  validReservations,
  type BudgetRecord,
  type BudgetStore,
  type Reservation,
  type Saved,
} from './budget-record.js';

/** A lock older than this is left by a process stopped inside a few microseconds of work: broken. */
const STALE_LOCK_MS = 10_000;
/**
 * Longest the event loop waits for a lock held by another live process (its critical section
 * is a read, a write and a rename: microseconds). Past it, the call is counted here and merged
 * into the file at the next lock taken: the daemon never freezes on a lock.
 */
const LOCK_WAIT_MS = 5;
/** At stop (and for a report's reservation), nothing waits on the event loop: a held lock is waited for longer. */
export const STOP_LOCK_WAIT_MS = 1_000;
const nap = new Int32Array(new SharedArrayBuffer(4));

type LockState = 'stale' | 'held' | { unreadable: string };

/** Whether the process that wrote `lock` can still be holding it. */
function lockState(lock: string): LockState {
  let text: string;
  let age: number;
  try {
    text = readRegularText(lock);
    age = Date.now() - statSync(lock).mtimeMs;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    // Gone already: try again. Anything else (a directory, a root-owned file) never goes by itself.
    return code === 'ENOENT' ? 'held' : { unreadable: code };
  }
  // A future mtime (a clock stepped back, or a hostile file) would otherwise never get old.
  if (Math.abs(age) > STALE_LOCK_MS) return 'stale';
  const pid = Number(text);
  // Empty: its owner is between creating and writing it.
  if (!text || !Number.isInteger(pid) || pid <= 0) return 'held';
  // Ours (this process holds no lock between calls): left by an earlier process with our pid.
  if (pid === process.pid) return 'stale';
  return processAlive(pid) ? 'held' : 'stale';
}

/**
 * The day's call count in the state directory, shared by every process of the account: the
 * daemon and any `qoswatch report` or `inspect` run beside it, with the reservations of
 * running reports (`reservations`: owner pid, calls reserved and not spent, expiry). Each
 * change is made under a lock file (`<file>.lock`, created exclusively), by reading what the
 * others left, deciding, and writing the result with a rename: no process overwrites another's
 * calls, and none goes over the budget because it read an old count. A reservation whose owner
 * is gone, or that was not renewed for RESERVATION_TTL_MS, is dropped when read. A lock left by
 * a killed process is broken (its pid is gone, or it is 10 s old). A write that fails (disk
 * full) does not stop polling: the count is kept in memory and written when it can be.
 * The lock is waited for at most a few milliseconds (the event loop answers webhooks and
 * /healthz): a change made while another process holds it, or while the lock cannot be taken
 * at all (a directory or a root-owned file at its path: logged once, with what to do), is
 * decided on the file's last written count plus the calls counted here since, and added to the
 * file at the next lock taken (reservations are only changed under the lock).
 */
export class FileBudgetStore implements BudgetStore {
  readonly file: string;
  private readonly lock: string;
  /** Calls counted here while the lock could not be taken, not yet in the file (of `pendingDay`). */
  private pending = 0;
  private pendingDay = -1;
  /** Changes decided without the lock (held by another process, or unusable), for the logs, metrics and tests. */
  unlockedCalls = 0;
  /** Changes written under the lock: one file round trip each (lock, read, write, rename). */
  lockedChanges = 0;
  private brokenLogged = false;
  private busyLogged = false;
  /** The last try found the lock unusable (not merely held by another process). */
  private unusable = false;
  /** Most calls one reservation may hold: the daily pool (set by the DailyBudget using this store). */
  maxCalls = Number.MAX_SAFE_INTEGER;
  /** The count to assume for `day` when a corrupt file says nothing of it (set by the DailyBudget: the share's pace). */
  lostCount: ((day: number) => number) | undefined;
  /** `pending` kept beside the file, so that a process killed before it could add it leaves it for the next. */
  private readonly journal: PendingJournal;
  /** The day's count as this process last read or wrote it under the lock: a corrupt file never restarts below it. */
  private lastSeen: { day: number; used: number } | undefined;

  constructor(
    stateDir: string,
    name: string,
    private readonly files: StateFiles = new StateFiles(),
  ) {
    this.file = join(stateDir, `budget-${name}.json`);
    this.lock = `${this.file}.lock`;
    this.journal = new PendingJournal(this.file);
  }

  /** The record as last written, with this process's calls not yet in it; nothing is logged or set aside here. */
  load(): BudgetRecord | undefined {
    const saved = this.readSaved();
    return saved && this.recordOf(saved, saved.day);
  }

  /**
   * The file as last written when it is a budget count, without the lock. With `day`, a file
   * that is not one gives the count recovered from it (see recover); without, undefined.
   */
  private readSaved(day?: number): Saved | undefined {
    let text: string;
    try {
      text = readRegularText(this.file);
    } catch {
      return undefined;
    }
    try {
      const raw = JSON.parse(text) as unknown;
      if (!checkBudget(raw)) return raw as Saved;
    } catch {
      /* recovered below */
    }
    return day === undefined ? undefined : this.recover(text, day).value;
  }

  /** The count, read under the lock: a corrupt file is set aside and logged once, then written anew from what is recovered. */
  private loadChecked(day: number): { saved: Saved | undefined; raw: unknown } {
    let read: unknown;
    const saved = this.files.read<Saved>(
      this.file,
      (raw) => {
        read = raw;
        const why = checkBudget(raw);
        if (why) return { error: `it is not a budget count (${why})` };
        const saved = raw as Saved;
        const discarded: string[] = [];
        const reservations = validReservations(saved.reservations, Date.now(), this.maxCalls, discarded);
        return { value: { ...saved, reservations }, discarded };
      },
      (text) => this.recover(text, day),
    );
    return { saved, raw: read };
  }

  /**
   * `day`'s count from a budget file that is not one (truncated by a crash or a full disk, a
   * field garbled by hand), never below what it can have been, so that the processes sharing
   * it do not spend the day's calls twice:
   * 1. the `day` and `used` still readable in its text (a truncated write keeps its head: qoswatch
   *    writes them first; a quoted number counts too), and its reservations when it is JSON;
   * 2. and never less than the count this process last read or wrote for the day;
   * 3. when neither says anything about the day, the share's pace up to this time of day
   *    (`lostCount`: the allowance times the part of the UTC day gone): what an evenly spread
   *    day would have used, so the rest of the day keeps the rest of the share at that pace.
   *    Not "used up" (polling would stop until 00:00 UTC: a monitor blind for up to a day), not
   *    0 (up to a second whole share spent). Zoom's own count (X-RateLimit-Remaining, a
   *    daily-limit 429) still stops every process at the account's real pool.
   * A count readable for an earlier day is that day's: today starts at 0, nothing lost.
   */
  private recover(
    text: string,
    day: number,
  ): { value: Saved; note: string; fields: Record<string, unknown> } {
    const num = (key: string): number | undefined => {
      // A number, or one quoted ("used":"95", hand-edited): its digits are still the count.
      const m = new RegExp(`"${key}"\\s*:\\s*"?(\\d{1,13})(?![\\d.eE])`).exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const fileDay = num('day');
    const fileUsed = num('used');
    let reservations: Reservation[] = [];
    try {
      reservations = validReservations((JSON.parse(text) as Saved).reservations, Date.now(), this.maxCalls);
    } catch {
      /* not JSON: none */
    }
    const other = fileDay !== undefined && fileDay < day;
    const fromText = !other && fileUsed !== undefined ? fileUsed : undefined;
    const seen = this.lastSeen?.day === day ? this.lastSeen.used : undefined;
    const known = Math.max(fromText ?? -1, seen ?? -1);
    let used: number;
    let from: string;
    if (other) {
      used = 0;
      from = `day ${fileDay}'s count (an earlier day: today starts at 0)`;
    } else if (known >= 0) {
      used = known;
      from =
        known === fromText
          ? `${used} calls, the count still readable in the file`
          : `${used} calls, the count this process last read or wrote today`;
    } else {
      used = this.lostCount?.(day) ?? 0;
      from = `${used} calls, the share's pace to this time of day: the day's count could not be read from the file`;
    }
    return {
      value: { day, used, ...(reservations.length ? { reservations } : {}) },
      note: from,
      fields: {
        used_recovered: used,
        recovered_from: other
          ? 'earlier-day'
          : known >= 0
            ? known === fromText
              ? 'file-text'
              : 'memory'
            : 'pace',
      },
    };
  }

  /** `day`'s record from what was read: an earlier day's count is 0, standing reservations are kept. */
  private recordOf(saved: Saved | undefined, day: number): BudgetRecord {
    return {
      day,
      // A later day's count (the clock stepped back) is kept, not reset: its calls were made.
      used: (saved && saved.day >= day ? saved.used : 0) + (this.pendingDay === day ? this.pending : 0),
      reservations: standing(validReservations(saved?.reservations, Date.now(), this.maxCalls)),
    };
  }

  transact(day: number, change: (rec: BudgetRecord) => BudgetRecord, waitMs = LOCK_WAIT_MS): boolean {
    if (this.pendingDay !== day) this.pending = 0;
    this.pendingDay = day;
    const locked = this.acquire(waitMs);
    this.unusable = locked === false;
    if (locked !== true) {
      // No lock: decide on the last written count (renamed in whole: never half-read) plus ours
      // not yet in it; write nothing (the holder's write would be lost under ours).
      const rec = this.recordOf(this.readSaved(day), day);
      this.unlockedCalls++;
      if (locked === 'busy' && !this.busyLogged) {
        this.busyLogged = true;
        this.files.log.warn(
          { file: this.lock },
          `the daily budget's lock ${this.lock} is held by another process: calls are counted here and added to ${this.file} when it is free`,
        );
      }
      this.pending += change(rec).used - rec.used;
      // Before the call leaves: a kill from here on leaves the calls for the next process.
      this.journal.record(day, this.pending);
      return false;
    }
    try {
      const { saved, raw } = this.loadChecked(day);
      const rec = this.recordOf(saved, day);
      const orphans = PendingJournal.orphans(this.file, day);
      rec.used += orphans.calls;
      const next = change(rec);
      const now = Date.now();
      const reservations = next.reservations
        .filter((r) => r.calls > 0 || r.sizing)
        // This process's own are renewed by each of its changes.
        .map((r) => (r.pid === process.pid ? { ...r, expires: now + ttlOf(r) } : r));
      const out: Saved = { day, used: next.used, ...(reservations.length ? { reservations } : {}) };
      this.lastSeen = { day, used: next.used };
      const pending = this.pending;
      this.pending = 0;
      // Against the file as read: an expiry brought back or an entry dropped is written too.
      let written = true;
      if (JSON.stringify(out) !== JSON.stringify(raw)) {
        written = this.files.write(this.file, JSON.stringify(out), false);
        this.lockedChanges++;
      }
      if (written) {
        this.journal.clear();
        PendingJournal.remove(orphans.files);
      }
      if (orphans.files.length)
        this.files.log.warn(
          { file: this.file, calls: orphans.calls, pids: orphans.owners },
          `${orphans.calls} calls counted by a process that is gone (pid ${orphans.owners.join(', ')}) while another held the budget's lock, left beside ${this.file}, added to it`,
        );
      if (pending !== 0)
        this.files.log.info(
          { file: this.file },
          `calls counted while the budget's lock was taken elsewhere (${pending}) added to ${this.file}`,
        );
      this.busyLogged = false;
      return true;
    } finally {
      rmSync(this.lock, { force: true });
    }
  }

  /**
   * Writes the count durably (at stop), waiting longer for a lock another process holds. Calls
   * counted here while the lock could not be taken are written with the rest; when the lock
   * still cannot be taken at all (no process can hold it, none writes without it), they are
   * added to the file without it rather than lost.
   */
  flush(): void {
    if (
      this.pending !== 0 &&
      !this.transact(this.pendingDay, (rec) => rec, STOP_LOCK_WAIT_MS) &&
      this.unusable
    )
      this.addPendingUnlocked();
    const locked = this.acquire(STOP_LOCK_WAIT_MS);
    try {
      const saved = this.readSaved();
      if (saved) this.files.write(this.file, JSON.stringify(saved));
    } finally {
      if (locked === true) rmSync(this.lock, { force: true });
    }
  }

  /**
   * Takes the lock: true. 'busy' when another live process holds it past LOCK_WAIT_MS, false
   * when the lock cannot be taken at all (read-only or full state dir, an unreadable or
   * unremovable lock: logged once). Never waits longer than LOCK_WAIT_MS.
   */
  private acquire(waitMs = LOCK_WAIT_MS): true | false | 'busy' {
    const until = Date.now() + waitMs;
    let madeDir = false;
    for (;;) {
      try {
        const fd = openSync(this.lock, 'wx', 0o600);
        try {
          writeSync(fd, String(process.pid));
          return true;
        } catch {
          rmSync(this.lock, { force: true }); // a lock without its pid would hold the others 10 s
          return false;
        } finally {
          closeSync(fd);
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && !madeDir) {
          madeDir = true; // the state directory's first file
          try {
            makeDir(dirname(this.lock));
          } catch {
            /* told below, at the next try */
          }
          continue;
        }
        if (code !== 'EEXIST') return this.broken(code ?? 'error', 'cannot be created');
        const state = lockState(this.lock);
        if (typeof state === 'object') return this.broken(state.unreadable, 'cannot be read');
        if (state === 'stale') {
          try {
            rmSync(this.lock, { force: true });
          } catch (e) {
            return this.broken(
              (e as NodeJS.ErrnoException).code ?? 'error',
              'is stale but cannot be removed',
            );
          }
          continue;
        }
        if (Date.now() >= until) return 'busy';
        Atomics.wait(nap, 0, 0, 1);
      }
    }
  }

  /** At stop, with an unusable lock: this process's calls added to the file, so none is lost. */
  private addPendingUnlocked(): void {
    const saved = this.readSaved(this.pendingDay);
    const out: Saved = { ...saved, ...this.recordOf(saved, this.pendingDay) };
    if (!out.reservations?.length) delete out.reservations;
    if (this.files.write(this.file, JSON.stringify(out))) {
      this.files.log.warn(
        { file: this.file, calls: this.pending },
        `the daily budget's lock ${this.lock} cannot be taken: the ${this.pending} calls counted here while it could not were added to ${this.file} without it, at stop`,
      );
      this.pending = 0;
      this.journal.clear();
    }
  }

  private broken(code: string, what: string): false {
    if (!this.brokenLogged) {
      this.brokenLogged = true;
      this.files.log.error(
        { file: this.lock, code },
        `the daily budget's lock ${this.lock} ${what} (${code}): this process counts its own calls (still within the budget, from the count last written) and cannot add them to ${this.file} for the others until it can; remove it (rm -r ${this.lock}) or give the state directory back to the user qoswatch runs as`,
      );
    }
    return false;
  }
}
