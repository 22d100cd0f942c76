import type { Logger } from 'pino';
import type { NormalizeStats } from '../normalize/stats.js';
import type { ZoomClient } from '../zoom/client.js';
import { liveRange, type Endpoint } from '../zoom/endpoints.js';
import type { ZoomError } from '../zoom/errors.js';
import { plural } from '../util/words.js';
import { listedId } from '../normalize/listed-id.js';
import type { ListedIds } from './listed-ids.js';
import type { Discovery, LiveInstance } from './source.js';

type Raw = Record<string, unknown>;

/** How a source reads its live list: which field holds the id, and the instance an entry stands for. */
export interface LiveList {
  client: ZoomClient;
  endpoint: Endpoint;
  /** `uuid` for meetings and webinars, `id` for sessions. */
  idKey: string;
  stats: NormalizeStats;
  listed: ListedIds;
  instance: (entry: Raw, id: string) => LiveInstance;
  now: number;
  log: Logger;
}

/**
 * One reading of a live list (meetings, webinars or sessions), every page. Entries that are not
 * objects, or have no usable id, are skipped and counted (`listedInvalid`); the list then does
 * not show everything live (`unusable`), so the cycle ends nothing it does not show; nor does a
 * reading stopped as a page loop (`cut`: its pages past the cursor unread). A page without its
 * array is not "nothing is live" either: it throws (the cycle keeps the last list).
 *
 * An id listed a second time in one reading is skipped, the first entry kept, and is not bad
 * data: the live list changes while it is paged (meetings start and end between two pages), and
 * Zoom's spec neither promises a stable order nor rules out an entry moving onto the next page.
 * It is counted in a debug line per reading, to be seen when looked for (docs/zoom-client.md).
 */
export async function readLiveList(l: LiveList, signal?: AbortSignal): Promise<Discovery> {
  const out: LiveInstance[] = [];
  let unusable: ZoomError | undefined;
  let cut: string | undefined;
  let repeated = 0;
  // The sessions list needs a date range even for live sessions, as the spec says the others do.
  const query = { type: 'live', ...liveRange(l.now) };
  for await (const page of l.client.pages<Raw>(l.endpoint, {}, query, {
    signal,
    keyOf: (e) => listedId(e[l.idKey]),
    skipped: (n) => (l.stats.listedInvalid += n),
    requireItems: true,
    unusable: (e) => (unusable ??= e),
    repeated: (n) => (repeated += n),
    cut: (why) => (cut = why),
  })) {
    for (const entry of page) {
      const id = listedId(entry[l.idKey]);
      if (!id) {
        l.stats.listedInvalid++;
        continue;
      }
      l.listed.add(id);
      out.push(l.instance(entry, id));
    }
  }
  if (repeated)
    l.log.debug(
      { endpoint: l.endpoint.name, repeated, listed: out.length },
      `the live list named ${plural(repeated, 'instance')} a second time (it changed while it was paged); the first entry of each is used`,
    );
  return { live: out, ...(unusable ? { unusable } : {}), ...(cut !== undefined ? { cut } : {}) };
}
