import { join } from 'node:path';
import type { Clock } from '../util/clock.js';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import type { BudgetStore } from './daily-budget.js';

/**
 * The day's call count in the state directory, so a restart does not start the day from
 * zero. Writes are throttled (every `everyMs`) and flushed at shutdown.
 */
export class FileBudgetStore implements BudgetStore {
  private readonly file: string;
  private pending: { day: number; used: number } | undefined;
  private lastWrite = 0;

  constructor(
    stateDir: string,
    name: string,
    private readonly clock: Clock,
    private readonly everyMs = 5000,
  ) {
    this.file = join(stateDir, `budget-${name}.json`);
  }

  load(): { day: number; used: number } | undefined {
    const s = readJsonFile(this.file) as { day?: unknown; used?: unknown } | undefined;
    return s && typeof s.day === 'number' && typeof s.used === 'number'
      ? { day: s.day, used: s.used }
      : undefined;
  }

  save(state: { day: number; used: number }): void {
    this.pending = { ...state };
    if (this.clock.now() - this.lastWrite >= this.everyMs) this.flush();
  }

  flush(): void {
    if (!this.pending) return;
    writeFileAtomic(this.file, JSON.stringify(this.pending));
    this.pending = undefined;
    this.lastWrite = this.clock.now();
  }
}
