import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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
const nap = new Int32Array(new SharedArrayBuffer(4));

/** True when the process that wrote `lock` cannot be holding it any more. */
function isStale(lock: string): boolean {
  let text: string;
  let age: number;
  try {
    text = readFileSync(lock, 'utf8');
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return false; // gone already: try again
  }
  if (age > STALE_LOCK_MS) return true;
  const pid = Number(text);
  // Empty: its owner is between creating and writing it.
  if (!text || !Number.isInteger(pid) || pid <= 0) return false;
  // Ours (this process holds no lock between calls): left by an earlier process with our pid.
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
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
 */
export class FileBudgetStore implements BudgetStore {
  readonly file: string;
  private readonly lock: string;

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
    const locked = this.acquire();
    try {
      const saved = this.loadChecked();
      const used = saved?.day === day ? saved.used : 0;
      const next = change(used);
      if (next !== used || saved?.day !== day)
        this.files.write(this.file, JSON.stringify({ day, used: next }), false);
    } finally {
      if (locked) rmSync(this.lock, { force: true });
    }
  }

  /** Writes the count durably (at stop). */
  flush(): void {
    const locked = this.acquire();
    try {
      const saved = this.load();
      if (saved) this.files.write(this.file, JSON.stringify(saved));
    } finally {
      if (locked) rmSync(this.lock, { force: true });
    }
  }

  /** Takes the lock; false when the state dir cannot hold one (read-only, full): counted unlocked then. */
  private acquire(): boolean {
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
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
        if (isStale(this.lock)) rmSync(this.lock, { force: true });
        else Atomics.wait(nap, 0, 0, 1);
      }
    }
  }
}
