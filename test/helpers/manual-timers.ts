import type { Dispatcher } from '../../src/notify/dispatcher.js';
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

/**
 * One delivery pass (`tick`), firing the send timeout of each attempt once the server holds it
 * (`held`): returns how many attempts timed out.
 */
export async function pass(d: Dispatcher, timers: ManualTimers, held: () => number): Promise<number> {
  let done = false;
  const ticking = d.tick().finally(() => (done = true));
  const before = held();
  let fired = 0;
  while (!done) {
    if (timers.armed && held() - before > fired) fired += timers.fireAll();
    await new Promise((resolve) => setTimeout(resolve, 5)); // polls for the server, as vi.waitFor does
  }
  await ticking;
  return fired;
}
