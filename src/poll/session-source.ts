import { normalizeParticipant } from '../normalize/normalize.js';
import type { InstanceRef } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Logger } from 'pino';
import type { Clock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import type { ZoomClient } from '../zoom/client.js';
import { ENDPOINTS } from '../zoom/endpoints.js';
import { instanceKey } from '../normalize/events.js';
import type { PollResult } from './poll-result.js';
import type { Discovery, LiveInstance, PollSource } from './source.js';
import { applyJoins, joinSeen, JoinTracker, REJOIN_GRACE_MS } from './joins.js';
import { readLiveList } from './live-list.js';
import { readQos } from './qos-read.js';
import { ListedIds } from './listed-ids.js';
import { costedParticipants, listedCount, polledCount } from './participant-count.js';
import { unlisted } from './unidentified.js';
import { str, text } from '../normalize/zoom-text.js';

/**
 * Live Video SDK sessions. Their QoS answer already carries each user's context (network
 * type, data center, connection type), so no participants call is needed.
 */
export class SessionSource implements PollSource {
  readonly kind = 'session' as const;
  /** Joins and the keys alerts follow; pushed samples of the instance are linked here too. */
  readonly joins = new JoinTracker(REJOIN_GRACE_MS);
  readonly listed: ListedIds;

  constructor(
    readonly client: ZoomClient,
    private readonly clock: Clock,
    private readonly stats: NormalizeStats,
    private readonly log: Logger = silentLogger(),
  ) {
    this.listed = new ListedIds(log);
    client.stats.expect([ENDPOINTS.sessions, ENDPOINTS.sessionQos]);
  }

  discover(signal?: AbortSignal): Promise<Discovery> {
    return readLiveList(
      {
        client: this.client,
        endpoint: ENDPOINTS.sessions,
        idKey: 'id',
        stats: this.stats,
        listed: this.listed,
        now: this.clock.now(),
        log: this.log,
        instance: (s, id) => ({
          ref: { kind: 'session', id, uuid: id, topic: text(s.session_name) },
          ...listedCount(s.user_count),
        }),
      },
      signal,
    );
  }

  cost(instance: LiveInstance): number {
    return Math.ceil(Math.max(1, costedParticipants(instance)) / 10);
  }

  async poll(
    instance: LiveInstance,
    signal?: AbortSignal,
    seenUpTo?: (join: string) => number,
  ): Promise<PollResult> {
    const read = await readQos(
      { client: this.client, endpoint: ENDPOINTS.sessionQos, stats: this.stats, listed: this.listed },
      instance,
      signal,
    );
    if (!('raws' in read)) return read;
    const { raws, keys } = read; // keys[i]: raws[i]'s join key, worked out once
    const samples = raws.flatMap((raw, i) =>
      normalizeParticipant(instance.ref, raw, {}, this.stats, seenUpTo, keys[i]),
    );
    // The rejoin grace runs on Zoom's clock, as the answer gave it: leave_time is on that clock.
    const observed = this.joins.observe(
      instanceKey(instance.ref),
      raws.map((r, i) => joinSeen(r, keys[i]!, undefined)),
      this.client.zoomNow() ?? this.clock.now(),
    );
    // A leave_time not believed (Zoom's own, unreadable or before later samples): counted, logged once.
    for (const odd of observed.oddLeaves) this.stats.refuse('leave_time', odd.reason, odd.form);
    polledCount(instance, observed.present.length);
    const devices = new Map(raws.map((r, i) => [keys[i]!, str(r.device)]));
    return {
      samples: applyJoins(samples, observed, (j) => ({
        device: this.joins.device(instanceKey(instance.ref), j, devices.get(j)),
      })),
      present: observed.present,
      left: observed.left,
      leftAt: observed.leftAt,
      ended: false,
      ...unlisted(read),
    };
  }

  forget(instance: InstanceRef): void {
    this.joins.forget(instanceKey(instance));
    this.listed.forget(instance.uuid);
  }
}
