import type { Clock } from '../util/clock.js';

/** A request waiting for a permit, first come first served. */
interface Waiter {
  grant: (release: Release) => void;
  fail: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Latest start it waits for: a pause ending later fails it (Paused) instead. */
  latest: number;
}

/** Why a request was refused a permit: the limiter is paused past the latest start it would wait for. */
export class Paused extends Error {
  constructor(
    readonly until: number,
    /** Where the pause's wait came from (pauseOrigin). */
    readonly origin: string,
  ) {
    super(`paused until ${new Date(until).toISOString()}`);
    this.name = 'Paused';
  }
}

type Release = (sent?: boolean) => void;

/** Why the limiter's one timer is cancelled: made once (an abort without a reason makes a DOMException). */
const REARMED = new Error('window limiter: timer no longer needed');

/**
 * At most `limit` requests in any `windowMs`, as the server counts them. The server sees a
 * request when it arrives, somewhere between our send and its answer, so a permit is held
 * from send until `windowMs` after the answer: then no server window can ever hold more than
 * `limit` of our requests, whatever the network delay. It can also be paused (a 429's
 * Retry-After) until a given time.
 *
 * Waiting requests queue in order and are handed permits as they free up, with one timer for
 * the whole queue: under Zoom's limits nearly every call waits here (36 a second, 8 polls at a
 * time), and a sleep of its own per waiter, woken at every answer, cost an AbortController, a
 * timer and a DOMException each time (about 0.8 ms of CPU per call at 4,200 participants).
 */
export class WindowLimiter {
  private inFlight = 0;
  /** Times at which permits of finished requests free up, earliest first from `head`. */
  private cooling: number[] = [];
  private head = 0;
  private pausedUntil = 0;
  /** Where the pause's wait came from, said in messages about it. */
  private pauseOrigin = '';
  private readonly waiters: Waiter[] = [];
  /** The one pending wake-up: when, and how to cancel it. */
  private timer: { at: number; cancel: AbortController } | undefined;

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
   * free at once instead of cooling for a window. A pause that ends after `latest` (epoch ms),
   * now or while it waits, refuses it (`Paused`) instead of making it wait that long.
   */
  async acquire(signal?: AbortSignal, latest = Infinity): Promise<Release> {
    signal?.throwIfAborted();
    if (this.pausedUntil > latest) throw new Paused(this.pausedUntil, this.pauseOrigin);
    if (this.waiters.length === 0 && this.free(this.clock.now())) return this.take();
    return new Promise((grant, fail) => {
      const w: Waiter = { grant, fail, signal, onAbort: undefined, latest };
      if (signal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          fail(signal.reason as Error);
          this.arm(this.clock.now());
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
      this.arm(this.clock.now());
    });
  }

  /** No request starts before `t` (epoch ms); `origin` says where that wait came from. */
  pauseUntil(t: number, origin: string): void {
    if (t <= this.pausedUntil) return;
    this.pausedUntil = t;
    this.pauseOrigin = origin;
    for (const w of this.waiters.filter((x) => x.latest < t)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
      w.fail(new Paused(t, origin));
    }
    this.arm(this.clock.now());
  }

  /** The pause lasting past `now`: when it ends and where its wait came from. */
  pauseAt(now: number): { until: number; origin: string } | undefined {
    return this.pausedUntil > now ? { until: this.pausedUntil, origin: this.pauseOrigin } : undefined;
  }

  /** Whether a request may start at `now`; forgets the permits that have cooled down. */
  private free(now: number): boolean {
    while (this.head < this.cooling.length && this.cooling[this.head]! <= now) this.head++;
    if (this.head > 32 && this.head * 2 > this.cooling.length) {
      this.cooling = this.cooling.slice(this.head);
      this.head = 0;
    }
    return now >= this.pausedUntil && this.inFlight + this.cooling.length - this.head < this.limit;
  }

  private take(): Release {
    this.inFlight++;
    let done = false;
    return (sent = true) => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (sent) this.cool(this.clock.now() + this.windowMs);
      this.drain();
    };
  }

  /** Keeps `cooling` in order even if the clock stepped back. */
  private cool(at: number): void {
    let i = this.cooling.length;
    while (i > this.head && this.cooling[i - 1]! > at) i--;
    this.cooling.splice(i, 0, at);
  }

  /** Hands free permits to the queue, in order, then sets the timer for the next. */
  private drain(): void {
    const now = this.clock.now();
    while (this.waiters.length && this.free(now)) {
      const w = this.waiters.shift()!;
      if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
      w.grant(this.take());
    }
    this.arm(now);
  }

  /**
   * One wake-up, at the time the next permit frees up, while requests wait; none when every
   * permit is in flight (an answer frees one) or nobody waits (no stray timer holding the
   * process open, or moving a virtual clock forward for nothing).
   */
  private arm(now: number): void {
    const at = !this.waiters.length
      ? undefined
      : now < this.pausedUntil
        ? this.pausedUntil
        : this.head < this.cooling.length
          ? this.cooling[this.head]
          : undefined;
    if (this.timer && this.timer.at === at) return;
    this.timer?.cancel.abort(REARMED);
    this.timer = undefined;
    if (at === undefined) return;
    const timer = { at, cancel: new AbortController() };
    this.timer = timer;
    this.clock.sleep(at - now, timer.cancel.signal).then(
      () => {
        if (this.timer !== timer) return;
        this.timer = undefined;
        this.drain();
      },
      () => undefined,
    );
  }
}
