import type { Logger } from 'pino';
import { contextKeys, deviceLabel, joinKey, personKey } from '../normalize/identity.js';
import { contextFromRaw, normalizeParticipant } from '../normalize/normalize.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { ENDPOINTS, liveRange, type Endpoint } from '../zoom/endpoints.js';
import { isEnded, type ZoomError } from '../zoom/errors.js';
import { ListedIds } from './listed-ids.js';
import { ContextCache, type CachedContext } from './context-cache.js';
import { applyJoins, joinSeen, JoinTracker, REJOIN_GRACE_MS } from './joins.js';
import { participantCount } from './participant-count.js';
import { instanceKey } from '../normalize/events.js';
import type { LiveInstance, PollResult, PollSource } from './source.js';

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

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** A QoS entry that carries its own context (newer answers) needs no participants call. */
const hasOwnContext = (raw: Raw): boolean =>
  Boolean(str(raw.data_center) || str(raw.network_type) || str(raw.connection_type));

/** Live meetings or webinars, through the Dashboard API. */
export class DashboardSource implements PollSource {
  private readonly contexts: ContextCache;
  private readonly joins = new JoinTracker(REJOIN_GRACE_MS);
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
    contextRefreshMs: number,
  ) {
    this.endpoints = KINDS[kind];
    client.stats.expect(Object.values(this.endpoints));
    this.contexts = new ContextCache(contextRefreshMs);
    this.listed = new ListedIds(log);
  }

  async discover(signal?: AbortSignal): Promise<LiveInstance[]> {
    const out: LiveInstance[] = [];
    for await (const page of this.client.pages<Raw>(
      this.endpoints.list,
      {},
      { type: 'live', ...liveRange(this.clock.now()) },
      { signal, keyOf: (i) => str(i.uuid) },
    )) {
      for (const item of page) {
        const uuid = str(item.uuid);
        if (!uuid) {
          this.stats.samplesInvalid++;
          continue;
        }
        this.listed.add(uuid);
        out.push({
          ref: { kind: this.kind, id: str(item.id) || uuid, uuid, topic: str(item.topic) },
          participants: participantCount(item.participants),
        });
      }
    }
    return out;
  }

  cost(instance: LiveInstance): number {
    // QoS pages of 10. Context (a participants page of 300) is read only when someone new
    // appears or it is old, which is rare next to the QoS pages.
    return Math.ceil(Math.max(1, instance.participants) / 10);
  }

  async poll(
    instance: LiveInstance,
    signal?: AbortSignal,
    seenUpTo?: (join: string) => number,
  ): Promise<PollResult> {
    const key = instanceKey(instance.ref);
    const raws: Raw[] = [];
    try {
      // One entry per join, keyed by `user_id`: entries sharing an account `id` are all kept.
      for await (const page of this.client.pages<Raw>(
        this.endpoints.qos,
        { id: instance.ref.uuid },
        { type: 'live' },
        // Bounded by the participant count: a page-token loop cannot run on (docs/zoom-client.md).
        { signal, keyOf: joinKey, expectedItems: instance.participants },
      )) {
        raws.push(...page);
      }
    } catch (err) {
      if (isEnded(err)) return this.listed.notFound(instance.ref, err as ZoomError);
      throw err;
    }
    const now = this.clock.now();
    // Context from the entry first; the participants list only for joins that lack it.
    const lacking = raws.filter((r) => !hasOwnContext(r));
    this.contextSource.entry += raws.length - lacking.length;
    this.contextSource.list += lacking.length;
    const firstKeys = lacking.map((r) => contextKeys(r)[0]).filter((k): k is string => Boolean(k));
    if (this.contexts.needsFetch(key, firstKeys, now))
      await this.fetchContext(instance, firstKeys, now, signal);
    const samples: QosSample[] = [];
    const listed = new Map<string, { person?: string | undefined; device: string }>();
    for (const raw of raws) {
      const { email, person, ...context } = hasOwnContext(raw)
        ? {}
        : this.contexts.get(key, contextKeys(raw));
      listed.set(joinKey(raw), { person, device: deviceLabel(raw) });
      const fresh = normalizeParticipant(instance.ref, raw, context, this.stats, seenUpTo);
      if (email) for (const s of fresh) if (!s.participant.email) s.participant.email = email;
      samples.push(...fresh);
    }
    const observed = this.joins.observe(
      key,
      raws.map((r) => joinSeen(r, now, listed.get(joinKey(r))?.person)),
      now,
    );
    instance.participants = Math.max(observed.present.length, 1);
    return {
      samples: applyJoins(samples, observed, (j) => listed.get(j) ?? {}),
      present: observed.present,
      left: observed.left,
      ended: false,
    };
  }

  private async fetchContext(
    instance: LiveInstance,
    keys: string[],
    now: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const key = instanceKey(instance.ref);
    const contexts = new Map<string, CachedContext>();
    try {
      for await (const page of this.client.pages<Raw>(
        this.endpoints.participants,
        { id: instance.ref.uuid },
        { type: 'live' },
        { signal, expectedItems: instance.participants },
      )) {
        for (const p of page) {
          const person = personKey(p);
          const context: CachedContext = {
            ...contextFromRaw(p),
            ...(typeof p.email === 'string' && p.email ? { email: p.email } : {}),
            ...(person ? { person } : {}),
          };
          // Under each key it can be matched on; the first entry for a key wins.
          for (const k of contextKeys(p)) if (!contexts.has(k)) contexts.set(k, context);
        }
      }
      this.contexts.store(key, contexts, now);
      this.contexts.settle(key, keys);
    } catch (err) {
      if (signal?.aborted) throw err;
      // Context enriches samples; without it they are still worth handing on.
      this.log.warn(
        { instance: instance.ref.uuid, err: (err as Error).message },
        'could not read participant context',
      );
    }
  }

  forget(instance: InstanceRef): void {
    this.contexts.forget(instanceKey(instance));
    this.joins.forget(instanceKey(instance));
    this.listed.forget(instance.uuid);
  }
}
