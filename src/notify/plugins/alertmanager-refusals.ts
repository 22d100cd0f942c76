/** At most this many refused alerts are remembered; past it the one said longest ago goes. */
const MAX_SAID = 10_000;

/** An alert's identity to Alertmanager: its labels, in name order. */
const identity = (labels: Record<string, string>): string =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The alerts Alertmanager refused that a notifier warned about, with the reason it gave. A firing
 * alert is posted again with each reminder (Alertmanager ends one not re-posted), so a refused one
 * is refused again each time: it is warned about once, and again only when the reason changes, or
 * after Alertmanager took it or it ended (posted resolved). Kept for the run, not saved: after a
 * restart each is warned about once more.
 */
export class RefusalsSaid {
  private readonly said = new Map<string, string>();

  /** Records the refusal; whether to warn about it (the alert's first, or for a new reason). */
  fresh(labels: Record<string, string>, reason: string): boolean {
    const key = identity(labels);
    if (this.said.get(key) === reason) return false;
    this.said.delete(key);
    this.said.set(key, reason);
    if (this.said.size > MAX_SAID) this.said.delete(this.said.keys().next().value!);
    return true;
  }

  /** Alertmanager took the alert, or it ended: a refusal after this is warned about again. */
  forget(labels: Record<string, string>): void {
    if (this.said.size) this.said.delete(identity(labels));
  }
}
