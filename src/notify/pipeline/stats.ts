/** Why a delivery attempt failed: a notifier's error code, or `expired` when retrying gave up. */
export type FailReason = string;

/** Read-only view of the delivery counts, what metrics and the status API read. */
export interface NotifyStatsView {
  readonly sent: ReadonlyMap<string, number>;
  /** Of those, reports after calls (queued by the reports: section) delivered to a receiver. */
  readonly reportsSent: number;
  /** Failed attempts by receiver, then by reason. */
  readonly failed: ReadonlyMap<string, ReadonlyMap<FailReason, number>>;
  /** Alerts left out of a notification because a silence or an inhibition muted them. */
  readonly muted: number;
  /** Notifications a rate cap held back, by receiver. */
  readonly held: ReadonlyMap<string, number>;
}

const inc = <K>(m: Map<K, number>, k: K, n = 1): void => void m.set(k, (m.get(k) ?? 0) + n);

/** What the dispatcher counts as it delivers. */
export class NotifyStats implements NotifyStatsView {
  readonly sent = new Map<string, number>();
  readonly failed = new Map<string, Map<FailReason, number>>();
  muted = 0;
  readonly held = new Map<string, number>();
  reportsSent = 0;

  delivered(receiver: string, kind?: string): void {
    inc(this.sent, receiver);
    if (kind === 'report') this.reportsSent++;
  }

  failure(receiver: string, reason: FailReason): void {
    let byReason = this.failed.get(receiver);
    if (!byReason) this.failed.set(receiver, (byReason = new Map<FailReason, number>()));
    inc(byReason, reason);
  }

  heldBack(receiver: string): void {
    inc(this.held, receiver);
  }
}

/** Failed attempts flat, keyed `receiver|reason`: the status API's shape. */
export function failedByKey(stats: NotifyStatsView): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [receiver, byReason] of stats.failed)
    for (const [reason, n] of byReason) out[`${receiver}|${reason}`] = n;
  return out;
}
