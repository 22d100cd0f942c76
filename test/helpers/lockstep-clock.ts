import type { Clock } from '../../src/util/clock.js';

interface Sleeper {
  wake: number;
  seq: number;
  resolve: () => void;
}

/**
 * A virtual clock for several loops at once (the daemon's poller and its notify loop): time
 * moves only when every loop is asleep on it, and then only to the earliest wake-up, so no loop
 * skips another's turn and nothing waits on the wall clock. (VirtualClock moves time at each
 * sleep: with two loops, the notify loop's idle minute would carry the poller past its cycles.)
 *
 * `loops` is how many loops must be asleep before time moves; while one of them works (an HTTP
 * call to the simulator or to Slack), time stands still. `hold()` stops time for the test
 * itself, while it reads something that must belong to one instant.
 */
export class LockstepClock implements Clock {
  private readonly sleepers: Sleeper[] = [];
  private seq = 0;
  private holds = 0;
  private scheduled = false;

  constructor(
    private current: number,
    private readonly loops: number,
  ) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const reason = (): Error =>
        (signal?.reason as Error | undefined) ?? new DOMException('aborted', 'AbortError');
      if (signal?.aborted) {
        reject(reason());
        return;
      }
      const entry: Sleeper = { wake: this.current + Math.max(0, ms), seq: this.seq++, resolve };
      this.sleepers.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.sleepers.indexOf(entry);
          if (i >= 0) this.sleepers.splice(i, 1);
          reject(reason());
        },
        { once: true },
      );
      this.schedule();
    });
  }

  /** Stops time until the returned function is called. */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.schedule();
    };
  }

  /**
   * Looks again after the current turn (its promise reactions included: a loop woken by
   * something else than time aborts its sleep in a reaction, and must not count as asleep).
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.step();
    });
  }

  private step(): void {
    if (this.holds > 0 || this.sleepers.length < this.loops) return;
    this.sleepers.sort((a, b) => a.wake - b.wake || a.seq - b.seq);
    const next = this.sleepers.shift()!;
    if (next.wake > this.current) this.current = next.wake;
    next.resolve();
    this.schedule(); // more sleepers than loops (a rate limiter's wait inside a cycle): go on
  }
}
