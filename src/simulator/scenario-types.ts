import type { SourceKind } from '../normalize/sample.js';

/** A scenario after loading: durations in ms, crowds expanded into participants. */
export interface Scenario {
  name: string;
  /** Scenario minute 0, epoch ms. */
  start: number;
  seed: string;
  plan: 'pro' | 'business';
  /**
   * How QoS answers look. `newer`: entries carry the account `id`, `user_id`,
   * `participant_uuid` and their context (data center, network, client, os, health...), as in
   * Zoom's newer examples (zoom-samples/zoomnet). `older`: entries carry `user_id` only and no
   * context; the participants list has it, as in the seed pages.
   */
  shape: ResponseShape;
  /**
   * The `leave_time` of a QoS entry while its join is present: `none` leaves it out; `join_time`
   * writes Zoom's placeholder, equal to `join_time`, as every example QoS answer of Zoom's has it.
   */
  presentLeaveTime: 'none' | 'join_time';
  /**
   * How long after a leave the live QoS answers first show it (its `leave_time`): until then
   * the join is listed as present, with its samples up to the leave (Zoom's dashboard lags its
   * webhooks). 0: at once.
   */
  leaveLagMs: number;
  /**
   * Whether the account has the QoS Subscription add-on: without it the `qos_summary`
   * endpoints answer 403 (tests may switch it at run time).
   */
  qosSummary: boolean;
  limits: SimLimits;
  /** How far back the live QoS endpoints return samples. */
  qosWindowMs: number;
  tokenTtlMs: number;
  pageTokenTtlMs: number;
  credentials?: { accountId: string; clientId: string; clientSecret: string };
  videoSdk?: { apiKey: string; apiSecret: string };
  instances: SimInstance[];
  episodes: Episode[];
  faults: FaultSpec[];
}

export type ResponseShape = 'newer' | 'older';

export interface SimLimits {
  heavyPerSecond: number;
  resourcePerMinute: number;
  daily: number;
}

export type Media = 'audio' | 'video' | 'share';

export interface SimInstance {
  kind: SourceKind;
  /** Meeting/webinar number, or the session id. */
  id: string;
  uuid: string;
  topic: string;
  host: string;
  email: string;
  start: number;
  end: number;
  participants: SimParticipant[];
}

export interface SimParticipant {
  /** Name used by episodes; defaults to user_id. */
  key: string;
  /** Zoom user id: empty for external users who are not signed in. */
  id: string;
  userId: string;
  name: string;
  email: string;
  device: string;
  /** The participants list's `role`: host, attendee (panelist in webinars). */
  role: string;
  networkType: string;
  dataCenter: string;
  location: string;
  connectionType: string;
  version: string;
  ipAddress: string;
  join: number;
  leave: number;
  /** What the participant sends and receives; audio absent means muted throughout. */
  media: Media[];
}

export type MetricName =
  'latency' | 'jitter' | 'avg_loss' | 'max_loss' | 'bitrate' | 'frame_rate' | 'resolution';

export interface Episode {
  name: string;
  where: { participant?: string; instance?: string; dataCenter?: string; location?: string };
  from: number;
  to: number;
  /** Per media (or `any`), metric values as written ("450ms", "6%"); cpu and wifi apart. */
  set: Partial<Record<Media | 'any', Partial<Record<MetricName, string>>>>;
  cpu?: { zoomAvg?: number; zoomMax?: number; systemMax?: number };
  wifiRssi?: number;
}

/** The failures the simulator can inject (scenario `faults`, `X-Sim-Fault`). */
export const FAULT_KINDS = [
  '429',
  '500',
  '502',
  '503',
  'slow',
  'stall',
  'reset',
  'malformed',
  'page_loop',
  'page_wrap',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** Regex on the request path (under /v2). */
  path?: string;
  from?: number;
  to?: number;
  /** How many requests it hits, at most. */
  times?: number;
  /** Real milliseconds for `slow` and `stall`; the Retry-After wait for `429`. */
  delayMs?: number;
  /** How a `429` fault writes Retry-After: seconds (default) or an ISO date. */
  retryAfterFormat?: 'seconds' | 'date';
  /** A `429`'s Retry-After header exactly as given (hostile values such as 99999999999). */
  retryAfter?: string;
  /** A `429`'s X-RateLimit-Category header as given (none when absent, as a fault's 429 had). */
  rateLimitCategory?: string;
  /** A `429`'s X-RateLimit-Type header as given (`QPS` when absent; `Daily-limit` for Zoom's daily limit). */
  rateLimitType?: string;
}

export const PLAN_LIMITS: Record<Scenario['plan'], SimLimits> = {
  pro: { heavyPerSecond: 10, resourcePerMinute: 10, daily: 30_000 },
  business: { heavyPerSecond: 40, resourcePerMinute: 20, daily: 60_000 },
};
