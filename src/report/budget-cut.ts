import type { BudgetCut } from './types.js';

/**
 * What a report read before its budget reserve stopped it (`qoswatch report`): the page check
 * (`beforePage`, make.ts holdReserve) is wrapped so that the error it stops with is known, the
 * listing under way ends there with what it read, and the listings after it are not asked for.
 */
export class BudgetCutLog {
  private stop: Error | undefined;
  private readonly read: BudgetCut['read'] = [];
  private readonly notRead: string[] = [];

  /** The page check, remembering the error it stops the reading with. */
  wrap(beforePage: () => void): () => void {
    return () => {
      try {
        beforePage();
      } catch (err) {
        this.stop = err as Error;
        throw err;
      }
    };
  }

  /** The reading has stopped: the listings after it are not asked for (`listing` is noted as not read). */
  skip(listing: string): boolean {
    if (!this.stop) return false;
    this.notRead.push(listing);
    return true;
  }

  /**
   * A listing's reading ended, by its end (`err` undefined) or by an error: the page check's
   * stop is noted with the pages read (true: the report goes on with them); any other is not
   * this log's (false: thrown on).
   */
  ended(listing: string, pages: number, err?: unknown): boolean {
    if (err !== undefined && err !== this.stop) return false;
    if (err === undefined) this.read.push({ listing, pages, whole: true });
    else if (pages) this.read.push({ listing, pages, whole: false });
    else this.notRead.push(listing);
    return true;
  }

  /** The cut, once the reading was stopped; undefined when it was not. */
  cut(): BudgetCut | undefined {
    if (!this.stop) return undefined;
    return { reason: this.stop.message, read: [...this.read], notRead: [...this.notRead] };
  }
}

const pages = (n: number): string => `${n} page${n === 1 ? '' : 's'}`;

/** The cut as sentences of the report's source line. */
export function budgetCutNote(cut: BudgetCut | undefined): string {
  if (!cut) return '';
  const read = cut.read.map(
    (r) => `the ${r.listing} (${pages(r.pages)}${r.whole ? ', whole' : ', cut there'})`,
  );
  return (
    ` Cut by the budget: ${cut.reason}. Read: the details${read.length ? `, ${read.join(', ')}` : ''}.` +
    (cut.notRead.length ? ` Not read: the ${cut.notRead.join(', the ')}.` : '') +
    ' Participants and figures past the cut are missing here: the figures shown are not the whole call. For the whole report, run it again after 00:00 UTC or with a lower --reserve.'
  );
}
