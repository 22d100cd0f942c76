import type { Logger } from 'pino';

/**
 * Logs a recurring problem the first time it is seen (and again after `quietMs`), so bad
 * data from Zoom or a lasting outage shows in the log without flooding it. Counting is left
 * to the caller's metrics.
 */
export class LogOnce {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly quietMs = 3_600_000,
  ) {}

  warn(key: string, obj: object, msg: string): void {
    const t = this.now();
    const prev = this.last.get(key);
    if (prev !== undefined && t - prev < this.quietMs) return;
    this.last.set(key, t);
    this.log.warn(obj, msg);
  }

  /** The problems whose keys start with `prefix` went away: the next one is logged at once. */
  forget(prefix: string): void {
    for (const key of this.last.keys()) if (key.startsWith(prefix)) this.last.delete(key);
  }
}
