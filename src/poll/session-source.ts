import { normalizeParticipant, participantKey } from '../normalize/normalize.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { ENDPOINTS } from '../zoom/endpoints.js';
import { isEnded } from '../zoom/errors.js';
import { instanceKey, type LiveInstance, type PollResult, type PollSource } from './source.js';
import { StayTracker } from './stays.js';

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * Live Video SDK sessions. Their QoS answer already carries each user's context (network
 * type, data center, connection type), so no participants call is needed.
 */
export class SessionSource implements PollSource {
  readonly kind = 'session' as const;
  private readonly stays = new StayTracker();

  constructor(
    readonly client: ZoomClient,
    private readonly clock: Clock,
    private readonly stats: NormalizeStats,
  ) {}

  async discover(signal?: AbortSignal): Promise<LiveInstance[]> {
    const now = this.clock.now();
    // The sessions list needs a date range even for live sessions; yesterday covers sessions
    // that started before midnight UTC.
    const query = { type: 'live', from: day(now - 86_400_000), to: day(now) };
    const out: LiveInstance[] = [];
    for await (const page of this.client.pages<Raw>(ENDPOINTS.sessions, {}, query, {
      signal,
      keyOf: (s) => str(s.id),
    })) {
      for (const s of page) {
        const id = str(s.id);
        if (!id) {
          this.stats.samplesInvalid++;
          continue;
        }
        out.push({
          ref: { kind: 'session', id, uuid: id, topic: str(s.session_name) },
          participants: typeof s.user_count === 'number' ? s.user_count : 1,
        });
      }
    }
    return out;
  }

  cost(instance: LiveInstance): number {
    return Math.ceil(Math.max(1, instance.participants) / 10);
  }

  async poll(instance: LiveInstance, signal?: AbortSignal): Promise<PollResult> {
    const samples: QosSample[] = [];
    const raws: Raw[] = [];
    try {
      for await (const page of this.client.pages<Raw>(
        ENDPOINTS.sessionQos,
        { id: instance.ref.uuid },
        { type: 'live' },
        { ...(signal ? { signal } : {}), keyOf: participantKey },
      )) {
        for (const raw of page) samples.push(...normalizeParticipant(instance.ref, raw, {}, this.stats));
        raws.push(...page);
      }
    } catch (err) {
      if (isEnded(err)) return { samples: [], present: [], left: [], ended: true };
      throw err;
    }
    const { present, left } = this.stays.observe(
      instanceKey(instance.ref),
      raws.map((r) => ({ key: participantKey(r), leaveTime: str(r.leave_time) })),
    );
    instance.participants = Math.max(present.length, 1);
    return { samples, present, left, ended: false };
  }

  forget(instance: InstanceRef): void {
    this.stays.forget(instanceKey(instance));
  }
}
