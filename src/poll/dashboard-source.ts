import type { Logger } from 'pino';
import { contextFromRaw, normalizeParticipant, participantKey } from '../normalize/normalize.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { ENDPOINTS, type Endpoint } from '../zoom/endpoints.js';
import { isEnded } from '../zoom/errors.js';
import { ContextCache, type CachedContext } from './context-cache.js';
import { StayTracker } from './stays.js';
import { instanceKey, type LiveInstance, type PollResult, type PollSource } from './source.js';

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

/** Live meetings or webinars, through the Dashboard API. */
export class DashboardSource implements PollSource {
  private readonly contexts: ContextCache;
  private readonly stays = new StayTracker();
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
    this.contexts = new ContextCache(contextRefreshMs);
  }

  async discover(signal?: AbortSignal): Promise<LiveInstance[]> {
    const out: LiveInstance[] = [];
    for await (const page of this.client.pages<Raw>(
      this.endpoints.list,
      {},
      { type: 'live' },
      { signal, keyOf: (i) => str(i.uuid) },
    )) {
      for (const item of page) {
        const uuid = str(item.uuid);
        if (!uuid) {
          this.stats.samplesInvalid++;
          continue;
        }
        out.push({
          ref: { kind: this.kind, id: str(item.id) || uuid, uuid, topic: str(item.topic) },
          participants: typeof item.participants === 'number' ? item.participants : 1,
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

  async poll(instance: LiveInstance, signal?: AbortSignal): Promise<PollResult> {
    const key = instanceKey(instance.ref);
    const raws: Raw[] = [];
    try {
      for await (const page of this.client.pages<Raw>(
        this.endpoints.qos,
        { id: instance.ref.uuid },
        { type: 'live' },
        { signal, keyOf: participantKey },
      )) {
        raws.push(...page);
      }
    } catch (err) {
      if (isEnded(err)) return { samples: [], present: [], left: [], ended: true };
      throw err;
    }
    const now = this.clock.now();
    const keys = raws.map(participantKey).filter(Boolean);
    if (this.contexts.needsFetch(key, keys, now)) await this.fetchContext(instance, keys, now, signal);
    const samples: QosSample[] = [];
    for (const raw of raws) {
      const { email, ...context } = this.contexts.get(key, participantKey(raw));
      const fresh = normalizeParticipant(instance.ref, raw, context, this.stats);
      if (email) for (const s of fresh) if (!s.participant.email) s.participant.email = email;
      samples.push(...fresh);
    }
    const { present, left } = this.stays.observe(
      key,
      raws.map((r) => ({ key: participantKey(r), leaveTime: str(r.leave_time) })),
    );
    instance.participants = Math.max(present.length, 1);
    return { samples, present, left, ended: false };
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
        { signal },
      )) {
        for (const p of page) {
          const k = participantKey(p);
          if (k)
            contexts.set(k, {
              ...contextFromRaw(p),
              ...(typeof p.email === 'string' && p.email ? { email: p.email } : {}),
            });
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
    this.stays.forget(instanceKey(instance));
  }
}
