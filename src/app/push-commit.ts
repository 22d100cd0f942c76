import type { Clock } from '../util/clock.js';
import type { AlertFlow } from './alert-flow.js';

/** Least clock time between two commits for pushed data (more pushes wait and go together). */
export const PUSH_COMMIT_GAP_MS = 20;

/**
 * Alert changes raised by pushed data go to the dispatcher soon after their batch is evaluated,
 * not at the next poll cycle (which may be minutes away): the alert state is committed (saved,
 * then handed to the dispatcher, as the cycle does) at most once per `gapMs` of the clock, so
 * hundreds of pushes a second do not each write the state. Commits are synchronous, so one
 * from here and the cycle's never interleave; whichever comes first hands on what is waiting.
 * Each QoS record's receive time is observed when the commit after its evaluation has run.
 */
export class PushCommit {
  /** Receive times of evaluated QoS records whose changes await a commit. */
  private waiting: number[] = [];
  private timer: AbortController | undefined;
  private lastAt = -Infinity;
  private stopped = false;

  constructor(
    private readonly alerts: AlertFlow,
    private readonly clock: Clock,
    private readonly observe: (ms: number) => void = () => undefined,
    private readonly gapMs = PUSH_COMMIT_GAP_MS,
  ) {
    alerts.onCommit(() => this.committed());
  }

  /** A batch of pushed records was evaluated; `receivedAt` are its QoS records' receive times. */
  handedOn(receivedAt: readonly number[]): void {
    if (!this.alerts.waiting) {
      // Nothing for the dispatcher: these records are done with.
      this.observeAll(receivedAt);
      return;
    }
    for (const t of receivedAt) this.waiting.push(t);
    if (this.timer || this.stopped) return;
    const wait = this.lastAt + this.gapMs - this.clock.now();
    if (wait <= 0) {
      this.alerts.commit();
      return;
    }
    const timer = (this.timer = new AbortController());
    this.clock.sleep(wait, timer.signal).then(
      () => {
        this.timer = undefined;
        if (this.alerts.waiting) this.alerts.commit();
      },
      () => undefined,
    );
  }

  /** No commit from here after this (the daemon's last commit at stop takes what waits). */
  stop(): void {
    this.stopped = true;
    this.timer?.abort();
    this.timer = undefined;
  }

  private committed(): void {
    this.lastAt = this.clock.now();
    const times = this.waiting;
    this.waiting = [];
    this.observeAll(times);
  }

  private observeAll(times: readonly number[]): void {
    const now = this.clock.now();
    for (const t of times) this.observe(now - t);
  }
}
