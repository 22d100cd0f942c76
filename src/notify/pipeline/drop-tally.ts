import type { LogOnce } from '../../util/log-once.js';

interface Drops {
  code: string;
  /** The first drop's reason, as its notifier said it. */
  message: string;
  count: number;
}

/**
 * The notifications a lane run gave up, per receiver and reason, said in one line each with how
 * many (outside tester: 5 expired in one go logged "hookA: notification dropped" once, with no
 * count, while qoswatch_notifications_failed_total said 5). Through `once`, as before: a line at
 * the first of a receiver and reason, then at most every 15 minutes while drops go on.
 */
export class DropTally {
  private readonly pending = new Map<string, Map<string, Drops>>();

  add(receiver: string, reason: string, code: string, message: string): void {
    let byReason = this.pending.get(receiver);
    if (!byReason) this.pending.set(receiver, (byReason = new Map<string, Drops>()));
    const d = byReason.get(reason);
    if (d) d.count++;
    else byReason.set(reason, { code, message, count: 1 });
  }

  /** Says and forgets the receiver's drops so far: at the end of its lane run, or before a delivery ends the run of drops. */
  flush(receiver: string, once: LogOnce): void {
    const byReason = this.pending.get(receiver);
    if (!byReason) return;
    this.pending.delete(receiver);
    for (const [reason, d] of byReason)
      once.warn(
        `drop:${receiver}:${reason}`,
        { receiver, code: d.code, dropped: d.count },
        `${receiver}: ${d.count === 1 ? 'notification' : `${d.count} notifications`} dropped: ${d.message}`,
      );
  }
}
