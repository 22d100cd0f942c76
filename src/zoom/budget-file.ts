import { join } from 'node:path';
import type { Clock } from '../util/clock.js';
import { COUNT, entryCheck, StateFiles } from '../util/state-files.js';
import type { BudgetStore } from './daily-budget.js';

const checkBudget = entryCheck({
  type: 'object',
  required: ['day', 'used'],
  properties: { day: { type: 'integer', minimum: 0, maximum: 1e8 }, used: COUNT },
});

/**
 * The day's call count in the state directory, so a restart does not start the day from
 * zero. Writes are throttled (every `everyMs`) and flushed at shutdown. A write that fails
 * (disk full) does not stop polling: the count is kept in memory and written when it can be.
 */
export class FileBudgetStore implements BudgetStore {
  readonly file: string;
  private pending: { day: number; used: number } | undefined;
  private lastWrite = 0;

  constructor(
    stateDir: string,
    name: string,
    private readonly clock: Clock,
    private readonly everyMs = 5000,
    private readonly files: StateFiles = new StateFiles(),
  ) {
    this.file = join(stateDir, `budget-${name}.json`);
  }

  load(): { day: number; used: number } | undefined {
    return this.files.read<{ day: number; used: number }>(this.file, (raw) => {
      const why = checkBudget(raw);
      return why ? { error: `it is not a budget count (${why})` } : { value: raw as never, discarded: [] };
    });
  }

  save(state: { day: number; used: number }): void {
    this.pending = { ...state };
    if (this.clock.now() - this.lastWrite >= this.everyMs) this.flush();
  }

  flush(): void {
    if (!this.pending) return;
    this.files.write(this.file, JSON.stringify(this.pending));
    this.pending = undefined;
    this.lastWrite = this.clock.now();
  }
}
