/**
 * Time comes in from outside so that tests and the demo can drive it. Every part of
 * qoswatch that waits or reads the time takes a Clock; nothing calls Date.now() directly.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's timeline. */
  now(): number;
  /** Resolves once `ms` of this clock's time have passed; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Waits `realMs` of wall-clock time, abortable. */
function realSleep(realMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, realMs),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => realSleep(ms, signal),
};

/**
 * Real time sped up by `factor`, starting at `start` (epoch ms). The demo runs the simulator
 * and the daemon on one of these so that an hour of meetings passes in a minute.
 */
export class ScaledClock implements Clock {
  private readonly realStart = Date.now();
  constructor(
    private readonly start: number,
    private readonly factor: number,
  ) {
    if (!(factor > 0)) throw new RangeError('clock factor must be positive');
  }
  now(): number {
    return Math.floor(this.start + (Date.now() - this.realStart) * this.factor);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return realSleep(ms / this.factor, signal);
  }
}

/**
 * A clock for tests and simulations in which sleeping moves time forward at once: a sleeper
 * wakes on the next turn of the event loop with the clock at (at least) its wake-up time.
 * Time never goes backwards, so nothing ever wakes early, and no test waits on the wall clock.
 */
export class VirtualClock implements Clock {
  private holds = 0;
  /** Sleepers due after now, waiting for the holds to be released. */
  private held: (() => void)[] = [];
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  /** Moves time forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (ms > 0) this.current += ms;
  }
  /** Sets time to `t` if that is later than now. */
  advanceTo(t: number): void {
    if (t > this.current) this.current = t;
  }
  /**
   * Stops sleepers from moving time forward until the returned function is called: a sleeper
   * due later than now waits. For work that takes real time (HTTP calls to a simulator) while
   * another loop sleeps on the same clock: without a hold, that loop would wake once per turn
   * of the event loop and move time by its whole sleep each turn, so the virtual time a piece
   * of work took would depend on how fast the machine is.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds > 0) return;
      const held = this.held;
      this.held = [];
      for (const wake of held) setImmediate(wake);
    };
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const wake = this.current + Math.max(0, ms);
      const fire = (): void => {
        if (signal?.aborted) {
          reject(abortError(signal));
          return;
        }
        if (this.holds > 0 && wake > this.current) {
          this.held.push(fire);
          return;
        }
        this.advanceTo(wake);
        resolve();
      };
      setImmediate(fire);
    });
  }
}

/**
 * Waits until `ms` of clock time pass or `wake` settles, whichever comes first, without
 * leaving a timer behind (a stray timer would hold the process open, or on a VirtualClock
 * move time forward for nothing). Rejects if `signal` aborts.
 */
export async function sleepUnless(
  clock: Clock,
  ms: number,
  wake: Promise<unknown>,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const inner = new AbortController();
  const forward = (): void => inner.abort(signal?.reason);
  signal?.addEventListener('abort', forward, { once: true });
  const sleeping = clock.sleep(ms, inner.signal);
  sleeping.catch(() => undefined);
  try {
    await Promise.race([sleeping, wake]);
  } finally {
    signal?.removeEventListener('abort', forward);
    inner.abort();
  }
  signal?.throwIfAborted();
}
