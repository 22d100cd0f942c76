import type { PollSource } from './source.js';

/** A poll's end is checked once more this long after it, if discovery still lists the instance. */
export const RECHECK_AFTER_MS = 10 * 60_000;

interface Gone {
  source: PollSource;
  /** When the poll found it ended. */
  at: number;
  /** The one re-poll has been made (and said ended again). */
  rechecked: boolean;
}

/**
 * Instances a poll found ended (404, code 3001) that discovery may still list: Zoom's live list
 * lags an end, so they are not live again until a discovery of their source no longer lists them
 * (without this, each cycle "discovered" and "ended" such an instance again). A 3001 for an
 * instance that is really live would blind polling for the rest of it, so one that is still
 * listed RECHECK_AFTER_MS after its end is polled once more; if that poll says ended too, it
 * stays ended until the list drops it.
 */
export class EndedListed {
  private readonly gone = new Map<string, Gone>();

  /** A poll found the instance ended at `at`; `rechecked`: that poll was the one re-poll. */
  add(key: string, source: PollSource, at: number, rechecked: boolean): void {
    this.gone.set(key, { source, at, rechecked });
  }

  has(key: string): boolean {
    return this.gone.has(key);
  }

  /**
   * Discovery lists the ended instance at `now`: true once, RECHECK_AFTER_MS after the end, if
   * it was not re-polled yet. It is then forgotten here, for the caller to poll it once more.
   */
  recheckDue(key: string, now: number): boolean {
    const g = this.gone.get(key);
    if (!g || g.rechecked || now - g.at < RECHECK_AFTER_MS) return false;
    this.gone.delete(key);
    return true;
  }

  /** Forgets those of `source` that its discovery no longer lists. */
  unlisted(source: PollSource, listed: ReadonlySet<string>): void {
    for (const [key, g] of this.gone) if (g.source === source && !listed.has(key)) this.gone.delete(key);
  }

  get size(): number {
    return this.gone.size;
  }
}
