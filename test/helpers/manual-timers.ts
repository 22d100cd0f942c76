import type { Timers } from '../../src/util/deadline.js';

/**
 * Timers for a Deadline that fire only when the test says time is up (`fireAll`), so a timeout
 * test does not depend on how fast a loaded machine answers: a call the test means to time out
 * does, and no other call ever does.
 */
export class ManualTimers implements Timers {
  private readonly pending = new Map<number, () => void>();
  private seq = 0;

  set(fn: () => void): number {
    const id = ++this.seq;
    this.pending.set(id, fn);
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Timers armed and neither fired nor cleared. */
  get armed(): number {
    return this.pending.size;
  }

  /** Time is up for every timer armed now; returns how many fired. */
  fireAll(): number {
    const fns = [...this.pending.values()];
    this.pending.clear();
    for (const fn of fns) fn();
    return fns.length;
  }
}
