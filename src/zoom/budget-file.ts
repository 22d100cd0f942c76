import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJsonFile } from '../util/atomic-file.js';
import { COUNT, entryCheck, StateFiles } from '../util/state-files.js';
import type { BudgetStore } from './daily-budget.js';

const checkBudget = entryCheck({
  type: 'object',
  required: ['day', 'used'],
  properties: { day: { type: 'integer', minimum: 0, maximum: 1e8 }, used: COUNT },
});

/** A lock older than this is left by a process stopped inside a few microseconds of work: broken. */
const STALE_LOCK_MS = 10_000;
/**
 * Longest the event loop waits for a lock held by another live process (its critical section
 * is a read, a write and a rename: microseconds). Past it, the call is counted here and merged
 * into the file at the next lock taken: the daemon never freezes on a lock.
 */
const LOCK_WAIT_MS = 5;
const nap = new Int32Array(new SharedArrayBuffer(4));

type LockState = 'stale' | 'held' | { unreadable: string };

/** Whether the process that wrote `lock` can still be holding it. */
function lockState(lock: string): LockState {
  let text: string;
  let age: number;
  try {
    text = readFileSync(lock, 'utf8');
    age = Date.now() - statSync(lock).mtimeMs;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    // Gone already: try again. Anything else (a directory, a root-owned file) never goes by itself.
    return code === 'ENOENT' ? 'held' : { unreadable: code };
  }
  if (age > STALE_LOCK_MS) return 'stale';
  const pid = Number(text);
  // Empty: its owner is between creating and writing it.
  if (!text || !Number.isInteger(pid) || pid <= 0) return 'held';
  // Ours (this process holds no lock between calls): left by an earlier process with our pid.
  if (pid === process.pid) return 'stale';
  try {
    process.kill(pid, 0);
    return 'held';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH' ? 'stale' : 'held';
  }
}

/**
 * The day's call count in the state directory, shared by every process of the account: the
 * daemon and any `qoswatch report` or `inspect` run beside it. Each call is counted into the
 * file as it is made, under a lock file (`<file>.lock`, created exclusively), by reading the
 * count the others left, deciding, and writing the new count with a rename: no process
 * overwrites another's calls, and none goes over the budget because it read an old count.
 * A lock left by a killed process is broken (its pid is gone, or it is 10 s old). A write that
 * fails (disk full) does not stop polling: the count is kept in memory and written when it can be.
 * The lock is waited for at most a few milliseconds (the event loop answers webhooks and
 * /healthz): a call made while another process holds it, or while the lock cannot be taken at
 * all (a directory or a root-owned file at its path: logged once, with what to do), is decided
 * on the file's last written count plus the calls counted here since, and added to the file at
 * the next lock taken.
 */
export class FileBudgetStore implements BudgetStore {
  readonly file: string;
  private readonly lock: string;
  /** Calls counted here while the lock could not be taken, not yet in the file (of `pendingDay`). */
  private pending = 0;
  private pendingDay = -1;
  /** Calls decided without the lock (held by another process, or unusable), for the logs and tests. */
  unlockedCalls = 0;
  private brokenLogged = false;
  private busyLogged = false;

  constructor(
    stateDir: string,
    name: string,
    private readonly files: StateFiles = new StateFiles(),
  ) {
    this.file = join(stateDir, `budget-${name}.json`);
    this.lock = `${this.file}.lock`;
  }

  /** The count as last written; nothing is logged or set aside here (a corrupt file is, at the next call). */
  load(): { day: number; used: number } | undefined {
    const raw = readJsonFile(this.file);
    return raw !== undefined && !checkBudget(raw) ? (raw as { day: number; used: number }) : undefined;
  }

  /** The count, read under the lock: a corrupt file is set aside and logged once, then written anew. */
  private loadChecked(): { day: number; used: number } | undefined {
    return this.files.read<{ day: number; used: number }>(this.file, (raw) => {
      const why = checkBudget(raw);
      return why ? { error: `it is not a budget count (${why})` } : { value: raw as never, discarded: [] };
    });
  }

  transact(day: number, change: (used: number) => number): void {
    if (this.pendingDay !== day) this.pending = 0;
    this.pendingDay = day;
    const locked = this.acquire();
    if (locked !== true) {
      // No lock: decide on the last written count (renamed in whole: never half-read) plus ours
      // not yet in it; write nothing (the holder's write would be lost under ours).
      const saved = this.load();
      const used = (saved?.day === day ? saved.used : 0) + this.pending;
      this.unlockedCalls++;
      if (locked === 'busy' && !this.busyLogged) {
        this.busyLogged = true;
        this.files.log.warn(
          { file: this.lock },
          `the daily budget's lock ${this.lock} is held by another process: calls are counted here and added to ${this.file} when it is free`,
        );
      }
      this.pending += change(used) - used;
      return;
    }
    try {
      const saved = this.loadChecked();
      const used = (saved?.day === day ? saved.used : 0) + this.pending;
      const next = change(used);
      if (next !== used || this.pending !== 0 || saved?.day !== day)
        this.files.write(this.file, JSON.stringify({ day, used: next }), false);
      if (this.pending !== 0)
        this.files.log.info(
          { file: this.file },
          `calls counted while the budget's lock was taken elsewhere (${this.pending}) added to ${this.file}`,
        );
      this.pending = 0;
      this.busyLogged = false;
    } finally {
      rmSync(this.lock, { force: true });
    }
  }

  /** Writes the count durably (at stop). */
  flush(): void {
    if (this.pending !== 0) this.transact(this.pendingDay, (used) => used);
    const locked = this.acquire();
    try {
      const saved = this.load();
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
  private acquire(): true | false | 'busy' {
    const until = Date.now() + LOCK_WAIT_MS;
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
            mkdirSync(dirname(this.lock), { recursive: true });
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
