import type { Endpoint } from './endpoints.js';
import { ZoomError } from './errors.js';
import { plural } from '../util/words.js';

type Json = Record<string, unknown>;

/** How `pages()` reads a listing. */
export interface PageOptions<T> {
  signal?: AbortSignal;
  keyOf?: (item: T) => string;
  /**
   * With `keyOf`: told, before each page is yielded, the key of each of its items, in order (''
   * for one without), so the caller need not work them out again.
   */
  keys?: (keys: readonly string[]) => void;
  /**
   * The join an entry names, for the stop on pages that add nothing (`Progress`), for a listing
   * not given `keyOf` (which does that too) because the caller wants to see its repeats (the
   * participants list).
   */
  joinOf?: (item: T) => string;
  expectedItems?: number;
  /**
   * No count is known (no `expectedItems`): the pages are bounded by the `total_records` the
   * listing's first page gives, up to this many items, when that bounds more than the default
   * (`pageBound`); a first page without a plausible one keeps the default.
   */
  totalRecordsUpTo?: number;
  /** Told the `total_records` of the listing's first page, when it is a whole number from 0. */
  totalRecords?: (n: number) => void;
  /**
   * Told of each item dropped because an item of the same key came earlier in this pass over
   * the listing (Zoom's repeat; not one of a pass before a restart): bad data, for the caller to
   * count. The first one is kept.
   */
  repeated?: (count: number) => void;
  /**
   * Told of each item dropped because an earlier page of this pass read its key: the listing
   * changed while it was paged (an entry added before the cursor pushes one already read onto
   * the next page; Zoom's docs promise no snapshot, only that a token lasts 15 minutes). Paging
   * drift, not bad data: counted apart. The first one is kept.
   */
  shifted?: (count: number) => void;
  /**
   * Called once, when a listing of more than one page ends, if it changed while it was paged: a
   * key repeated on a later page, or a `total_records` that changed between pages. An entry may
   * then have moved back past the cursor unread: whom the listing does not name may be there all
   * the same. Fewer keys read than `total_records` is not drift: entries without a key, Zoom's
   * repeats on one page, or a total that counts someone Zoom does not send make it so on every
   * read, which then held every leave for rules.gap_tolerance (hT44b Z2).
   */
  drifted?: () => void;
  /**
   * Told how many entries of a page were skipped, and why (not objects, or past OVERFULL times
   * the page size): bad data, for the caller to count.
   */
  skipped?: (count: number, why: 'not_object' | 'past_page_size') => void;
  /** Called before each page is asked for; throws to stop the listing (a report's reserve). */
  beforePage?: () => void;
  /**
   * A page without its item array (JSON, but not the listing: `{}`, `"participants": null`)
   * is ZOOM_BAD_RESPONSE instead of an empty page. For one-shot commands, which must not
   * report an empty instance that Zoom never described.
   */
  strict?: boolean;
  /**
   * A page without its item array (`{}`, `"meetings": null`, `"participants": "x"`) that does not
   * say `total_records: 0` is ZOOM_BAD_RESPONSE (counted, thrown, not logged) instead of an empty
   * page. For the daemon's discovery, where an empty page means "nothing is live" and ends every
   * live instance, and its QoS polls, where it means "nobody is in the meeting" and every
   * participant leaves (their alerts resolved as `left`).
   */
  requireItems?: boolean;
  /**
   * Told (per page) when a page holds entries that cannot be used (not objects, or no key by
   * `keyOf`); the call is then counted as `bad_response`. For discovery: such a list does not
   * show everything live, so what it does not show must not end.
   */
  unusable?: (error: ZoomError) => void;
  /**
   * Told (with why) when the listing is stopped as a page loop before its end: its pages past the
   * cursor were not read, so an item the read does not show may be there all the same, and must
   * not be taken as gone (an instance ended, a participant left).
   */
  cut?: (why: string) => void;
}

/** A page's items; `unusable` when some of its entries cannot be used (unusableEntries). */
export interface Page<T> {
  items: T[];
  unusable?: ZoomError;
}

/** A 200 page as readPage() judged it; `error` when it is not the listing at all. */
export interface Read<T> extends Page<T> {
  body: Json;
  error?: ZoomError;
}

/**
 * A listing's page must hold its item array, or say it lists nothing (`total_records: 0`; the
 * spec does not require the array): else the call is counted as `bad_response` and this thrown,
 * for the caller to log (once). Entries that are not objects are skipped as usual.
 */
export function notItems(ep: Endpoint, body: Json, raw: unknown): ZoomError | undefined {
  if (Array.isArray(raw) || (raw == null && body.total_records === 0)) return undefined;
  return meaningless(ep, body);
}

/**
 * Most pages a listing may take: twice what `expectedItems` fill, and 10 more (an instance
 * grows between two polls); 100 pages when nothing says how many to expect. A
 * next_page_token that changes on every page but never ends once cost 740 calls in one cycle.
 */
function pageBound(ep: Endpoint, expectedItems?: number): number {
  if (expectedItems === undefined) return 100;
  return 2 * Math.ceil(Math.max(1, expectedItems) / Math.max(1, ep.pageSize ?? 30)) + 10;
}

/**
 * Most pages a listing read with `options` may take: pageBound of its `expectedItems`; with
 * `totalRecordsUpTo` and no `expectedItems`, once its first page (`first`) is read, the bound of
 * that page's `total_records` (a whole number from 0, at most `totalRecordsUpTo`) when it allows
 * more pages than the default.
 */
export function pageLimit<T>(ep: Endpoint, options: PageOptions<T>, first?: Json): number {
  const bound = pageBound(ep, options.expectedItems);
  const upTo = options.totalRecordsUpTo;
  const total = first && totalRecordsOf(first);
  if (options.expectedItems !== undefined || upTo === undefined) return bound;
  if (total === undefined) return bound;
  return Math.max(bound, pageBound(ep, Math.min(total, upTo)));
}

/** A page's `total_records` when it is a whole number from 0, else undefined. */
export function totalRecordsOf(page: Json): number | undefined {
  const total = page.total_records;
  return typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined;
}

/**
 * Pages in a row holding only entries this pass has already read (an entry without an id is never
 * one) after which a listing whose
 * next_page_token goes on is stopped as a page loop. Zoom's live lists change while they are paged
 * (an entry added or moved before the cursor pushes entries already read onto the next page), so
 * one repeated page is not a loop; three in a row means the list moved a whole page back on each
 * of three calls, and reading on gains nothing (a token that never ends over the same 1,200 joins,
 * total_records 3,000, cost 610 calls in one poll; now 123).
 */
export const STALE_PAGES = 3;

/**
 * Whether a listing still goes somewhere: its tokens are new, and its pages still add entries to
 * this pass over it. It owns the pass's ids: the client asks it which entries this pass read
 * before (Zoom's repeats, told to `repeated`).
 */
export class Progress {
  /** Ids read in this pass (since the listing's start, or its restart). */
  private readonly pass = new Set<string>();
  private readonly tokens = new Set<string>();
  private stale = 0;
  /** Pages read in this pass, keys repeated from an earlier page, and the `total_records` seen. */
  private pages = 0;
  private moved = 0;
  private readonly totals = new Set<number>();

  /**
   * A page's entries read into this pass by their ids (by `keyOf`, else `joinOf`; '' for one
   * without): whether this pass read each before, and where: `'page'`, earlier on this page (Zoom
   * sent a join twice in one answer), `'pass'`, on an earlier page (the list moved while it was
   * paged). An entry without an id (bad data, counted by the caller) never was: a few pages of
   * them must not stop the listing before the good entries behind them. A page with entries, none
   * of them new, counts toward STALE_PAGES. `page`: the page's body, for its `total_records`; on
   * the last (no `next_page_token`), `options.drifted` is told whether the listing drifted.
   */
  read(ids: readonly string[], page?: Json, options?: Pick<PageOptions<unknown>, 'drifted'>): Seen[] {
    let fresh = false;
    const onPage = new Set<string>();
    this.pages++;
    const total = page && totalRecordsOf(page);
    if (total !== undefined) this.totals.add(total);
    const before = ids.map((id): Seen => {
      const had: Seen = id === '' || !this.pass.has(id) ? false : onPage.has(id) ? 'page' : 'pass';
      if (!had) fresh = true;
      if (had === 'pass') this.moved++;
      if (id) this.pass.add(id);
      if (id) onPage.add(id);
      return had;
    });
    if (ids.length) this.stale = fresh ? 0 : this.stale + 1;
    const last = typeof page?.next_page_token !== 'string' || page.next_page_token === '';
    if (page && options && last) this.end(options);
    return before;
  }

  /** A listing that ended: `drifted` told when it changed while it was paged (PageOptions.drifted). */
  private end(options: Pick<PageOptions<unknown>, 'drifted'>): void {
    if (this.pages < 2) return;
    if (this.moved > 0 || this.totals.size > 1) options.drifted?.();
  }

  /**
   * Why a listing whose last page gave `token` would not end, else undefined (the token is kept):
   * a token seen before (it would page in a circle; mocks such as Prism repeat their example), or
   * the last STALE_PAGES pages read in a row with entries, none of them new.
   */
  endless(token: string): string | undefined {
    if (this.tokens.has(token)) return 'a next_page_token came back again';
    this.tokens.add(token);
    if (this.stale >= STALE_PAGES) return `${STALE_PAGES} pages in a row added nothing new`;
    return undefined;
  }

  /** The listing restarted (an expired token): its first pages repeat the last pass's. */
  restart(): void {
    this.pass.clear();
    this.tokens.clear();
    this.stale = 0;
    this.pages = 0;
    this.moved = 0;
    this.totals.clear();
  }
}

/** Whether a pass read an entry's key before: no, earlier on its page, or on an earlier page. */
export type Seen = false | 'page' | 'pass';

/**
 * The items whose key (`keys[i]`, by `keyOf`) was not yielded before (`seen`), with their keys: a
 * repeat of an earlier pass (a restarted listing) is dropped silently; one within this pass
 * (`before[i]`, by Progress) is dropped and told to `repeated` when earlier on its page (Zoom's),
 * to `shifted` when on an earlier page (the list moved while it was paged). An item without a key
 * (`''`) is the caller's to skip and count, not a repeat.
 */
export function firstOfKey<T>(
  items: T[],
  keys: readonly string[],
  before: readonly Seen[],
  seen: Set<string>,
  told: Pick<PageOptions<T>, 'repeated' | 'shifted'>,
): { items: T[]; keys: string[] } {
  const out: { items: T[]; keys: string[] } = { items: [], keys: [] };
  items.forEach((item, i) => {
    const k = keys[i]!;
    if (k && seen.has(k)) {
      if (before[i] === 'page') told.repeated?.(1);
      else if (before[i] === 'pass') (told.shifted ?? told.repeated)?.(1);
      return;
    }
    if (k) seen.add(k);
    out.items.push(item);
    out.keys.push(k);
  });
  return out;
}

/**
 * A listing read with `unusable` whose page holds entries that cannot be used (`skipped`:
 * not objects, past OVERFULL; or without a key by `keyOf`): each may stand for an item the caller
 * must not take as gone: the call is counted as `bad_response`, and `unusable` told why (by
 * pages()); the usable entries are still yielded.
 */
export function unusableEntries<T>(
  ep: Endpoint,
  skipped: number,
  items: readonly T[],
  keyOf: ((item: T) => string) | undefined,
): ZoomError | undefined {
  const keyless = keyOf ? items.filter((i) => !keyOf(i)).length : 0;
  if (skipped + keyless === 0) return undefined;
  return new ZoomError(
    'ZOOM_BAD_RESPONSE',
    `Zoom's answer to GET ${ep.template} (${ep.name}) has ${plural(skipped + keyless, 'entry', 'entries')} that cannot be used (${skipped} not objects, ${keyless} without a usable id)`,
    { endpoint: ep.name },
  );
}

export function meaningless(ep: Endpoint, body: Json): ZoomError {
  const key = ep.itemsKey ?? 'items';
  const got = body[key];
  const what =
    got === undefined
      ? `no "${key}"`
      : Array.isArray(got)
        ? `"${key}" holding something other than objects`
        : `"${key}" as ${got === null ? 'null' : typeof got}`;
  const keys = Object.keys(body).slice(0, 10).join(', ') || 'none';
  return new ZoomError(
    'ZOOM_BAD_RESPONSE',
    `Zoom's answer to GET ${ep.template} (${ep.name}) is JSON but not the listing expected: an object with a "${key}" array of objects; it has ${what} (its keys: ${keys})`,
    { endpoint: ep.name },
  );
}
