import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { readRegularText } from '../util/regular-file.js';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { processAlive } from '../util/process-alive.js';

/** The journals of this process's stores: a journal with our pid and another id was left by an earlier process with our pid. */
const OURS = new Set<string>();

/** Calls found in the journals of processes that are gone, to add to the day's count. */
export interface Orphans {
  calls: number;
  /** Their pids, for the log. */
  owners: number[];
  files: string[];
}

/**
 * A process's calls counted while another held the budget file's lock, kept beside the file
 * (`<file>.pending-<pid>-<id>`, `{"day","calls"}`, replaced by a rename at each such call,
 * before the call leaves) until the process adds them to the file under the lock. A process
 * killed before it could (SIGKILL, a crash, a power cut after the rename) leaves its journal,
 * and the next process that takes the lock adds the calls of a gone owner's journal for the
 * day and removes it. The journal is removed after the file is written with its calls, so a
 * kill between the two counts them twice (never less than made).
 */
export class PendingJournal {
  readonly file: string;
  private written = false;

  constructor(budgetFile: string) {
    const id = randomUUID().slice(0, 8);
    OURS.add(id);
    this.file = `${budgetFile}.pending-${process.pid}-${id}`;
  }

  /** Writes this process's calls not yet in the budget file (0: none, removed). Never throws. */
  record(day: number, calls: number): void {
    try {
      if (calls > 0) {
        writeFileAtomic(this.file, JSON.stringify({ day, calls }), false);
        this.written = true;
      } else this.clear();
    } catch {
      /* the state dir cannot be written: the calls stay counted in memory, as before */
    }
  }

  /** The calls are in the budget file now. */
  clear(): void {
    if (!this.written) return;
    rmSync(this.file, { force: true });
    this.written = false;
  }

  /** The journals of gone processes beside `budgetFile`, with their calls for `day` (an earlier day's count nothing). */
  static orphans(budgetFile: string, day: number): Orphans {
    const out: Orphans = { calls: 0, owners: [], files: [] };
    const prefix = `${basename(budgetFile)}.pending-`;
    let names: string[];
    try {
      names = readdirSync(dirname(budgetFile)).filter((n) => n.startsWith(prefix) && !n.endsWith('.tmp'));
    } catch {
      return out;
    }
    for (const name of names) {
      const [pidText, id] = name.slice(prefix.length).split('-');
      const pid = Number(pidText);
      const gone = pid === process.pid ? !OURS.has(id ?? '') : !processAlive(pid);
      if (!gone) continue;
      const file = join(dirname(budgetFile), name);
      out.files.push(file);
      out.owners.push(pid);
      try {
        const j = JSON.parse(readRegularText(file)) as { day?: unknown; calls?: unknown };
        if (j.day === day && Number.isInteger(j.calls) && (j.calls as number) > 0)
          out.calls += Math.min(j.calls as number, 1e12);
      } catch {
        /* unreadable: nothing to add */
      }
    }
    return out;
  }

  /** Removes journals whose calls are now in the budget file. */
  static remove(files: readonly string[]): void {
    for (const f of files) rmSync(f, { force: true });
  }
}
