/**
 * Where a Deadline's real-time timer comes from: `setTimeout` (realTimers), or in tests one
 * fired by hand when the test says time is up, so a timeout test does not depend on how fast
 * the machine answers.
 */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A time limit over one whole exchange (a Zoom call with its body, a notification's send): its
 * signal aborts with a TimeoutError when the time is up, or with the reason of `outer` (the
 * daemon's stop) if that aborts first. Zoom's client uses it for `zoom.timeout`: ky's own
 * `timeout` ends when the headers arrive, and a body that stalls after them would be waited for
 * without end (a poll cycle, and with it the daemon, stuck on one call).
 *
 * The signal is the exchange's own, not joined to `outer` with AbortSignal.any: Node 20 keeps every
 * such join in the outer signal for as long as that lives (given the daemon's signal, one join per
 * Zoom call grew the heap by about 0.4 MiB an hour). `end()` unlinks it from `outer` and stops the
 * timer: call it when the exchange is over.
 */
export class Deadline {
  private readonly own = new AbortController();
  private timer: unknown;
  private readonly forward = (): void => this.own.abort(this.outer?.reason);
  private expired = false;

  constructor(
    readonly ms: number,
    private readonly outer?: AbortSignal,
    private readonly timers: Timers = realTimers,
  ) {
    this.timer = this.arm();
    if (outer?.aborted) this.forward();
    else outer?.addEventListener('abort', this.forward, { once: true });
  }

  /** Real time, as ky's timeout: it bounds a socket, whatever clock the caller runs on. */
  private arm(): unknown {
    return this.timers.set(() => {
      if (this.own.signal.aborted) return;
      this.expired = true;
      this.own.abort(new DOMException(`no whole answer within ${this.ms} ms`, 'TimeoutError'));
    }, this.ms);
  }

  /** The next exchange of a sequence gets the whole time again (unless the signal has aborted). */
  renew(): void {
    if (this.own.signal.aborted) return;
    this.timers.clear(this.timer);
    this.timer = this.arm();
  }

  get signal(): AbortSignal {
    return this.own.signal;
  }

  /** The time ran out (and not the outer signal first). */
  get timedOut(): boolean {
    return this.expired;
  }

  end(): void {
    this.timers.clear(this.timer);
    this.outer?.removeEventListener('abort', this.forward);
  }
}
