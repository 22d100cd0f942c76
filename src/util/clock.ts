/**
 * Time comes in from outside so that tests and the demo can drive it. Every part of
 * qoswatch that waits or reads the time takes a Clock; nothing calls Date.now() directly.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's timeline. */
  now(): number;
  /** Resolves once `ms` of this clock's time have passed; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Only on clocks that drive time themselves (VirtualClock): keeps time from moving on while
   * work that takes real time runs outside any loop that sleeps on the clock (a notifier's
   * delivery lane); call the returned function when it ends. The system clock has none.
   */
  hold?(): () => void;
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

interface Sleeper {
  wake: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock for tests and simulations in which sleeping moves time forward at once: a sleeper
 * wakes on the next turn of the event loop with the clock at (at least) its wake-up time.
 * Time never goes backwards, so nothing ever wakes early, and no test waits on the wall clock.
 *
 * With `loops` (lockstep, for several loops at once: the daemon's poller and its notify loop),
 * time moves only when that many sleepers are asleep on it, and then only to the earliest
 * wake-up, so no loop skips another's turn: without it, the notify loop's idle minute would
 * carry the poller past its cycles. While one of them works (an HTTP call to the simulator or
 * to Slack), time stands still.
 */
export class VirtualClock implements Clock {
  private holds = 0;
  /** Sleepers due after now, waiting for the holds to be released (not in lockstep). */
  private held: (() => void)[] = [];
  /** In lockstep: every sleeper, woken earliest first. */
  private readonly sleepers: Sleeper[] = [];
  private seq = 0;
  private scheduled = false;
  private readonly loops: number | undefined;

  constructor(
    private current: number,
    options: { loops?: number } = {},
  ) {
    this.loops = options.loops;
  }
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
   * due later than now waits (in lockstep, time stands still). For work that takes real time
   * (HTTP calls to a simulator) while another loop sleeps on the same clock: without a hold,
   * that loop would wake once per turn of the event loop and move time by its whole sleep each
   * turn, so the virtual time a piece of work took would depend on how fast the machine is; and
   * for a test reading something that must belong to one instant.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds > 0) return;
      if (this.loops !== undefined) return this.schedule();
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
      if (this.loops !== undefined) {
        this.sleepInLockstep({ wake, seq: this.seq++, resolve }, reject, signal);
        return;
      }
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

  /** Lockstep: the sleeper counts as asleep until it wakes or its sleep is aborted. */
  private sleepInLockstep(entry: Sleeper, reject: (err: Error) => void, signal?: AbortSignal): void {
    this.sleepers.push(entry);
    signal?.addEventListener(
      'abort',
      () => {
        const i = this.sleepers.indexOf(entry);
        if (i >= 0) this.sleepers.splice(i, 1);
        reject(abortError(signal));
      },
      { once: true },
    );
    this.schedule();
  }

  /**
   * Lockstep: looks again after the current turn (its promise reactions included: a loop woken
   * by something else than time aborts its sleep in a reaction, and must not count as asleep).
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
    if (this.holds > 0 || this.sleepers.length < this.loops!) return;
    this.sleepers.sort((a, b) => a.wake - b.wake || a.seq - b.seq);
    const next = this.sleepers.shift()!;
    this.advanceTo(next.wake);
    next.resolve();
    this.schedule(); // more sleepers than loops (a rate limiter's wait inside a cycle): go on
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
  let release = (): void => undefined;
  const woken = new Promise<void>((resolve) => (release = whenSettled(wake, resolve)));
  try {
    await Promise.race([sleeping, woken]);
  } finally {
    release();
    signal?.removeEventListener('abort', forward);
    inner.abort();
  }
  signal?.throwIfAborted();
}

/** Per promise waited on by sleepUnless: whether it has settled, and who waits for it now. */
const settling = new WeakMap<Promise<unknown>, { settled: boolean; waiting: Set<() => void> }>();

/**
 * Calls `fn` once `p` settles (resolved or rejected); the returned function stops waiting. A
 * promise gets one reaction whoever waits on it: a reaction cannot be taken back, and a loop
 * that raced each of its sleeps against a promise pending for the daemon's life (a stop) left
 * one behind per sleep, about 300 bytes a poll cycle for as long as the daemon ran.
 */
function whenSettled(p: Promise<unknown>, fn: () => void): () => void {
  let state = settling.get(p);
  if (!state) {
    const s = { settled: false, waiting: new Set<() => void>() };
    settling.set(p, (state = s));
    const settle = (): void => {
      s.settled = true;
      for (const f of s.waiting) f();
      s.waiting.clear();
    };
    p.then(settle, settle);
  }
  if (state.settled) {
    fn();
    return () => undefined;
  }
  const waiting = state.waiting;
  waiting.add(fn);
  return () => void waiting.delete(fn);
}
