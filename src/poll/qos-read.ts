import { joinKey } from '../normalize/identity.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { ZoomClient } from '../zoom/client.js';
import type { Endpoint } from '../zoom/endpoints.js';
import { isEnded, type ZoomError } from '../zoom/errors.js';
import type { ListedIds } from './listed-ids.js';
import { expectedItems, recordsOfQos } from './participant-count.js';
import type { PollResult } from './poll-result.js';
import type { LiveInstance } from './source.js';

type Raw = Record<string, unknown>;

/** Where one instance's QoS is read: the source's client, endpoint, counts and listed ids. */
export interface QosRead {
  client: ZoomClient;
  endpoint: Endpoint;
  stats: NormalizeStats;
  listed: ListedIds;
}

/**
 * The QoS entries of one instance, every page, one per join (keyed by `user_id`; entries sharing
 * an account `id` are all kept), and how many were skipped as not objects: counted invalid, as is
 * a second entry of one join (the first is kept). A page without its array is not "nobody is
 * here": the poll fails, nobody leaves. An instance Zoom says has ended (404/3001) gives its
 * result instead (ListedIds.notFound). The one read of the meetings', webinars' and sessions'.
 * `keys`: each entry's join key (identity.ts; empty when it has none), as the client worked it out;
 * `cut`: why the read was stopped as a page loop, when it was (its pages past the cursor unread).
 * A join on two pages of the read is the list moving while it was paged (Zoom's docs promise no
 * snapshot): the first entry is kept, the second is not bad data; such a read (`drift`, counted in
 * `pagingDrift`) may have missed an entry moved back past the cursor, so it takes nobody as gone.
 */
export async function readQos(
  q: QosRead,
  instance: LiveInstance,
  signal?: AbortSignal,
): Promise<{ raws: Raw[]; keys: string[]; skipped: number; cut?: string; drift?: true } | PollResult> {
  const raws: Raw[] = [];
  const keys: string[] = [];
  let skipped = 0;
  let cut: string | undefined;
  let drift = false;
  try {
    for await (const page of q.client.pages<Raw>(
      q.endpoint,
      { id: instance.ref.uuid },
      { type: 'live' },
      {
        ...(signal ? { signal } : {}),
        keyOf: (r) => joinKey(r, instance.ref.kind),
        keys: (k) => keys.push(...k),
        // Pages bounded by the participant count: a page-token loop cannot run on, and a large
        // instance is read whole (docs/zoom-client.md); by the default bound while it is a guess.
        ...expectedItems(instance),
        ...recordsOfQos(instance),
        requireItems: true,
        skipped: (n, why) => {
          q.stats.invalid(why, n);
          skipped += n;
        },
        repeated: (n) => q.stats.invalid('repeated_join', n),
        shifted: () => (drift = true),
        drifted: () => (drift = true),
        cut: (why) => (cut = why),
      },
    ))
      raws.push(...page);
  } catch (err) {
    if (isEnded(err)) return q.listed.notFound(instance.ref, err as ZoomError);
    throw err;
  }
  if (drift) q.stats.pagingDrift++;
  return { raws, keys, skipped, ...(cut === undefined ? {} : { cut }), ...(drift ? { drift } : {}) };
}
