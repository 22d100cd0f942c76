import type { InstanceRef, SourceKind } from '../normalize/sample.js';
import type { ZoomClient } from '../zoom/client.js';
import type { ZoomError } from '../zoom/errors.js';
import type { JoinTracker } from './joins.js';
import type { ListedIds } from './listed-ids.js';
import type { PollResult } from './poll-result.js';

/** A live meeting, webinar or session as discovery saw it. */
export interface LiveInstance {
  ref: InstanceRef;
  /** Participants now, as the list said or the last poll counted: drives the cost estimate. */
  participants: number;
  /**
   * Set while `participants` is a guess (1: the list's count absent or absurd, an instance adopted
   * after a restart or started by a push) until a poll counts it: it bounds no page read.
   */
  countGuessed?: true;
  /**
   * While the count is a guess: the `total_records` the first page of a QoS read of it said (at
   * most MAX_PARTICIPANTS), when a read got that far without counting it (it failed or was
   * stopped after that page). The cost estimate until a poll counts it (participant-count.ts).
   */
  recordsSaid?: number;
}

/** What one listing of a source's live instances gave. */
export interface Discovery {
  /** The instances its usable entries name. */
  live: LiveInstance[];
  /**
   * Set when the list held entries that could not be used (not objects, no usable uuid or id):
   * it does not show everything live, so what it does not show must not end.
   */
  unusable?: ZoomError;
  /**
   * Why the reading was stopped as a page loop, when it was: its pages past the cursor were not
   * read, so what it does not show must not end either.
   */
  cut?: string;
}

/**
 * Anything that produces samples by polling. A push source (QSS webhooks) produces the same
 * PipelineEvents (normalize/events.ts) without polling and plugs in beside these through the
 * SampleSink.
 */
export interface PollSource {
  readonly kind: SourceKind;
  /** The client (and so the rate limits and daily budget) this source's calls draw on. */
  readonly client: ZoomClient;
  /** Lists live instances (Resource-intensive calls). */
  discover(signal?: AbortSignal): Promise<Discovery>;
  /**
   * Reads the QoS of every participant of one instance (Heavy calls). `seenUpTo` gives, per
   * join, the newest sample time already handed on: older entries need not be normalized.
   */
  poll(
    instance: LiveInstance,
    signal?: AbortSignal,
    seenUpTo?: (join: string) => number,
  ): Promise<PollResult>;
  /** The joins of its instances: pushed samples are linked to the keys polling gives them. */
  readonly joins: JoinTracker;
  /** Calls one poll of the instance is expected to cost. */
  cost(instance: LiveInstance): number;
  /** Forgets what it kept about an instance that ended. */
  forget(instance: InstanceRef): void;
  /**
   * The instances taken as listed live, so that a 404/3001 on one means ended: discovery adds
   * those it lists, the scheduler one with restored alerts (live before the restart) that this
   * run's discovery has not listed yet.
   */
  readonly listed: ListedIds;
}
