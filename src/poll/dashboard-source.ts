import type { Logger } from 'pino';
import { contextKeys, deviceLabel, joinKey, personKey } from '../normalize/identity.js';
import { contextFromRaw, normalizeParticipant } from '../normalize/normalize.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { ENDPOINTS, type Endpoint } from '../zoom/endpoints.js';
import { ListedIds } from './listed-ids.js';
import { LISTED_ID, listedNumber } from '../normalize/listed-id.js';
import { readLiveList } from './live-list.js';
import { readQos } from './qos-read.js';
import { ContextCache, type CachedContext, type ListWant } from './context-cache.js';
import type { FieldDef } from '../normalize/catalog.js';
import { applyJoins, joinSeen, JoinTracker, leaveOf, REJOIN_GRACE_MS } from './joins.js';
import { costedParticipants, expectedItems, listedCount, polledCount } from './participant-count.js';
import { unlisted } from './unidentified.js';
import { firstFew, plural } from '../util/words.js';
import { instanceKey } from '../normalize/events.js';
import type { PollResult } from './poll-result.js';
import type { Discovery, LiveInstance, PollSource } from './source.js';
import { str, text } from '../normalize/zoom-text.js';

type Raw = Record<string, unknown>;

const KINDS = {
  meeting: {
    list: ENDPOINTS.meetings,
    participants: ENDPOINTS.meetingParticipants,
    qos: ENDPOINTS.meetingQos,
  },
  webinar: {
    list: ENDPOINTS.webinars,
    participants: ENDPOINTS.webinarParticipants,
    qos: ENDPOINTS.webinarQos,
  },
} as const satisfies Record<string, { list: Endpoint; participants: Endpoint; qos: Endpoint }>;

/** A QoS entry that carries its own context (newer answers) needs no participants call. */
const hasOwnContext = (raw: Raw): boolean =>
  Boolean(str(raw.data_center) || str(raw.network_type) || str(raw.connection_type));

/** The participants list's page: its cost is one Heavy call per this many participants. */
const LIST_PAGE = 300;

/**
 * When the participants list is read for fields only it gives (role, audio_quality, ...):
 * `fields` are those the loaded rules and `poll.list_fields` use for this kind (asked on every
 * poll, so a rule reload takes effect at once); Zoom's quality verdicts are re-read every
 * `verdictRefreshMs`, the rest every `contextRefreshMs`.
 */
export interface ListDemand {
  fields: () => readonly FieldDef[];
  verdictRefreshMs: number;
}

const NO_DEMAND: ListDemand = { fields: () => [], verdictRefreshMs: Infinity };

/** Live meetings or webinars, through the Dashboard API. */
export class DashboardSource implements PollSource {
  private readonly contexts: ContextCache;
  /** Instances whose participants list was seen giving two entries for one key (logged once). */
  private readonly conflictsLogged = new Set<string>();
  /** Joins and the keys alerts follow; pushed samples of the instance are linked here too. */
  readonly joins = new JoinTracker(REJOIN_GRACE_MS);
  /** Instances discovery listed: a 404/3001 on one of them means it ended. */
  readonly listed: ListedIds;
  /** Joins whose context came from the QoS entry, and from the participants list. */
  readonly contextSource = { entry: 0, list: 0 };
  private readonly endpoints: (typeof KINDS)[keyof typeof KINDS];

  constructor(
    readonly kind: 'meeting' | 'webinar',
    readonly client: ZoomClient,
    private readonly clock: Clock,
    private readonly stats: NormalizeStats,
    private readonly log: Logger,
    private readonly contextRefreshMs: number,
    private readonly demand: ListDemand = NO_DEMAND,
  ) {
    this.endpoints = KINDS[kind];
    client.stats.expect(Object.values(this.endpoints));
    this.contexts = new ContextCache();
    this.listed = new ListedIds(log);
  }

  discover(signal?: AbortSignal): Promise<Discovery> {
    return readLiveList(
      {
        client: this.client,
        endpoint: this.endpoints.list,
        idKey: 'uuid',
        stats: this.stats,
        listed: this.listed,
        now: this.clock.now(),
        log: this.log,
        instance: (item, uuid) => ({
          ref: {
            kind: this.kind,
            id:
              listedNumber(item.id, (form, why) => this.stats.refuse(LISTED_ID, 'implausible', form, why)) ||
              uuid,
            uuid,
            topic: text(item.topic),
          },
          ...listedCount(item.participants),
        }),
      },
      signal,
    );
  }

  cost(instance: LiveInstance): number {
    // QoS pages of 10; a participants page of 300 when the list is due for a list-only field
    // the rules use. (Context of the older shape is read when someone new appears or it is
    // old, which is rare next to the QoS pages.)
    const n = Math.max(1, costedParticipants(instance));
    const fields = this.demand.fields();
    const list =
      fields.length &&
      this.contexts.stale(instanceKey(instance.ref), this.refreshFor(fields, false), this.clock.now())
        ? Math.ceil(n / LIST_PAGE)
        : 0;
    return Math.ceil(n / 10) + list;
  }

  /** How old the list may get before it is read again, for these wanted fields (and older-shape context). */
  private refreshFor(fields: readonly FieldDef[], contextLacking: boolean): number {
    let ms = contextLacking ? this.contextRefreshMs : Infinity;
    for (const f of fields)
      if (f.changes === 'with_quality') ms = Math.min(ms, this.demand.verdictRefreshMs);
      else if (f.changes !== 'on_leave') ms = Math.min(ms, this.contextRefreshMs);
    return ms;
  }

  async poll(
    instance: LiveInstance,
    signal?: AbortSignal,
    seenUpTo?: (join: string) => number,
  ): Promise<PollResult> {
    const key = instanceKey(instance.ref);
    const read = await readQos(
      { client: this.client, endpoint: this.endpoints.qos, stats: this.stats, listed: this.listed },
      instance,
      signal,
    );
    if (!('raws' in read)) return read;
    const { raws, keys } = read; // keys[i]: raws[i]'s join key, worked out once
    const now = this.clock.now();
    const fields = this.demand.fields();
    // An entry without a join key is counted and skipped (unidentified): no join to give context to.
    const want = this.contextWant(
      raws.filter((_, i) => keys[i]),
      fields,
    );
    if (this.contexts.due(key, want, now)) await this.fetchContext(instance, want, now, signal);
    const { samples, listed } = this.samplesOf(instance, raws, keys, fields.length > 0, seenUpTo);
    this.contexts.retain(key, () => new Set(raws.flatMap(contextKeys)));
    // The rejoin grace runs on Zoom's clock, as the answer gave it (zoom.date_clock: bounded by
    // ours, or followed): leave_time is on that clock. On ours, a simulator ahead of it
    // (date_clock: zoom) held every signed-in leave for ever.
    const observed = this.joins.observe(
      key,
      raws.map((r, i) => joinSeen(r, keys[i]!, listed.get(keys[i]!)?.person)),
      this.client.zoomNow() ?? now,
    );
    // A leave_time not believed (Zoom's own, unreadable or before later samples): counted, logged once.
    for (const odd of observed.oddLeaves) this.stats.refuse('leave_time', odd.reason, odd.form);
    polledCount(instance, observed.present.length);
    return {
      samples: applyJoins(samples, observed, (j) => {
        const e = listed.get(j);
        return { person: e?.person, device: this.joins.device(key, j, e?.device) };
      }),
      present: observed.present,
      left: observed.left,
      leftAt: observed.leftAt,
      ended: false,
      ...unlisted(read),
    };
  }

  /**
   * What the participants list is wanted for: context from the entry first; the list only for
   * joins that lack it, or for every join while a rule uses a field only the list gives (role,
   * audio_quality...).
   */
  private contextWant(raws: readonly Raw[], fields: readonly FieldDef[]): ListWant {
    const lacking = raws.filter((r) => !hasOwnContext(r));
    this.contextSource.entry += raws.length - lacking.length;
    this.contextSource.list += lacking.length;
    const firstKey = (r: Raw): string => contextKeys(r)[0] ?? '';
    return {
      keys: (fields.length ? raws : lacking).map(firstKey).filter(Boolean),
      refreshMs: this.refreshFor(fields, lacking.length > 0),
      leftKeys: fields.some((f) => f.changes === 'on_leave')
        ? raws
            .filter((r) => leaveOf(r).leaveTime !== undefined)
            .map(firstKey)
            .filter(Boolean)
        : [],
    };
  }

  /** The entries' samples with their context, and each join's person and device as listed (`keys`: their join keys). */
  private samplesOf(
    instance: LiveInstance,
    raws: readonly Raw[],
    keys: readonly string[],
    listFields: boolean,
    seenUpTo?: (join: string) => number,
  ): { samples: QosSample[]; listed: Map<string, { person?: string | undefined; device: string }> } {
    const key = instanceKey(instance.ref);
    const samples: QosSample[] = [];
    const listed = new Map<string, { person?: string | undefined; device: string }>();
    raws.forEach((raw, i) => {
      const { email, person, ...context } =
        hasOwnContext(raw) && !listFields ? {} : this.contexts.get(key, contextKeys(raw));
      listed.set(keys[i]!, { person, device: deviceLabel(raw) });
      const fresh = normalizeParticipant(instance.ref, raw, context, this.stats, seenUpTo, keys[i]);
      if (email) for (const s of fresh) if (!s.participant.email) s.participant.email = email;
      samples.push(...fresh);
    });
    return { samples, listed };
  }

  private async fetchContext(
    instance: LiveInstance,
    want: ListWant,
    now: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const key = instanceKey(instance.ref);
    try {
      const { contexts, conflicts, cut } = await this.readContexts(instance, signal);
      if (conflicts.size && !this.conflictsLogged.has(key)) {
        this.conflictsLogged.add(key);
        this.log.warn(
          { instance: instance.ref.uuid, keys: [...conflicts].slice(0, 10) },
          `the participants list gives two entries for ${plural(conflicts.size, 'join key')}; the first entry is used for each (logged once per instance)`,
        );
      }
      const failedBefore = this.contexts.failuresOf(key);
      const absent = this.contexts.store(key, contexts, want, now);
      // A list cut as a page loop may hold them past the cut: not said to have no entry.
      if (absent.length)
        this.log.warn(
          { instance: instance.ref.uuid, joins: firstFew(absent) },
          `${cut === undefined ? 'the participants list has no entry for' : `the participants list was cut (${cut}) before`} ${plural(absent.length, 'join')} of the QoS answer: ` +
            'its fields (role, audio_quality...) stay unknown for now; asking again after a backoff',
        );
      if (failedBefore)
        this.log.info(
          { instance: instance.ref.uuid, failed: failedBefore },
          'participant context read again after failed reads',
        );
    } catch (err) {
      if (signal?.aborted) throw err;
      // Context enriches samples; without it they are still worth handing on. Logged once per
      // run of failures; the list is asked for again after a backoff (context-cache.ts).
      const count = this.contexts.failed(key, now);
      this.log[count === 1 ? 'warn' : 'debug'](
        { instance: instance.ref.uuid, err: (err as Error).message, failed: count },
        'could not read participant context; asking again after a backoff',
      );
    }
  }

  /**
   * The participants list's context under each key it can be matched on (the first entry for a
   * key wins; `conflicts`: keys two entries gave), and why the read was cut, when it was.
   */
  private async readContexts(
    instance: LiveInstance,
    signal?: AbortSignal,
  ): Promise<{ contexts: Map<string, CachedContext>; conflicts: Set<string>; cut?: string }> {
    const contexts = new Map<string, CachedContext>();
    const conflicts = new Set<string>();
    let cut: string | undefined;
    for await (const page of this.client.pages<Raw>(
      this.endpoints.participants,
      { id: instance.ref.uuid },
      { type: 'live' },
      // joinOf: pages that add no join stop the read (page-read.ts Progress); repeats are kept.
      {
        signal,
        ...expectedItems(instance),
        joinOf: (p) => joinKey(p, instance.ref.kind),
        cut: (why) => (cut = why),
      },
    ))
      for (const p of page) {
        const person = personKey(p);
        const context: CachedContext = {
          ...contextFromRaw(p),
          ...(typeof p.email === 'string' && p.email ? { email: text(p.email) } : {}),
          ...(person ? { person } : {}),
        };
        for (const k of contextKeys(p)) {
          const had = contexts.get(k);
          if (!had) contexts.set(k, context);
          else if (had !== context) conflicts.add(k);
        }
      }
    return { contexts, conflicts, ...(cut !== undefined ? { cut } : {}) };
  }

  forget(instance: InstanceRef): void {
    this.contexts.forget(instanceKey(instance));
    this.conflictsLogged.delete(instanceKey(instance));
    this.joins.forget(instanceKey(instance));
    this.listed.forget(instance.uuid);
  }
}
