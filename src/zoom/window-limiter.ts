import { sleepUnless, type Clock } from '../util/clock.js';

/**
 * At most `limit` requests in any `windowMs`, as the server counts them. The server sees a
 * request when it arrives, somewhere between our send and its answer, so a permit is held
 * from send until `windowMs` after the answer: then no server window can ever hold more than
 * `limit` of our requests, whatever the network delay. It can also be paused (a 429's
 * Retry-After) until a given time.
 */
export class WindowLimiter {
  private inFlight = 0;
  /** Times at which permits of finished requests free up. */
  private cooling: number[] = [];
  private pausedUntil = 0;
  private wake: (() => void)[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    if (limit < 1) throw new RangeError('limit must be at least 1');
  }

  /**
   * Holds a permit; call the returned function when the answer (or failure) is in. Called
   * with `false` (the request never left: no token, a refused connection), the permit is
   * free at once instead of cooling for a window.
   */
  async acquire(signal?: AbortSignal): Promise<(sent?: boolean) => void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      this.cooling = this.cooling.filter((t) => t > now);
      if (now >= this.pausedUntil && this.inFlight + this.cooling.length < this.limit) {
        this.inFlight++;
        let done = false;
        return (sent = true) => {
          if (done) return;
          done = true;
          this.inFlight--;
          if (sent) this.cooling.push(this.clock.now() + this.windowMs);
          this.notify();
        };
      }
      const until =
        now < this.pausedUntil
          ? this.pausedUntil
          : this.cooling.length
            ? Math.min(...this.cooling)
            : undefined;
      const changed = new Promise<void>((r) => this.wake.push(r));
      // With every permit in flight there is nothing to wait for but an answer.
      if (until === undefined) await untilAborted(changed, signal);
      else await sleepUnless(this.clock, until - now, changed, signal);
    }
  }

  /** No request starts before `t` (epoch ms). */
  pauseUntil(t: number): void {
    if (t > this.pausedUntil) this.pausedUntil = t;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }
}

function untilAborted(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
