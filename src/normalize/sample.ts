import type { GroupValues } from './catalog.js';

/** Where a sample came from: Zoom Meetings, Webinars, or a Video SDK session. */
export type SourceKind = 'meeting' | 'webinar' | 'session';
export const SOURCE_KINDS: readonly SourceKind[] = ['meeting', 'webinar', 'session'];

export interface InstanceRef {
  kind: SourceKind;
  /** Meeting or webinar number, or the Video SDK session id. */
  id: string;
  /** The instance's UUID: what identifies this occurrence of a recurring meeting. */
  uuid: string;
  topic: string;
}

export interface ParticipantRef {
  /**
   * The key alerts and metrics follow within the instance: the join's `user_id`, or, for a
   * person who left and rejoined, the key of their earlier join (see poll/identity.ts). Never
   * the account `id` (shared by every join of a user) nor the name (empty or shared).
   */
  key: string;
  /** This join's own key (`user_id`; Video SDK: `id`). */
  join?: string;
  /** Links the joins of one person (account `id` / `participant_user_id`); absent for guests. */
  person?: string;
  /** Display name that tells apart two devices of one person in the same instance. */
  label?: string;
  /** Display name; empty for HIPAA accounts and some external users. */
  name: string;
  email: string;
  ip: string;
}

/**
 * Context of a participant: network type, data center, client, device, Zoom's verdicts, ...
 * (every `context` row of the catalog); any field may be unknown.
 */
export type ParticipantContext = GroupValues<'context'>;

/** One stream's measurements in base units (the catalog's `stream` rows); a missing one is absent, never 0. */
export type StreamMetrics = GroupValues<'stream'>;

/** Ratios 0 to 1 of the machine's CPU (the catalog's `cpu` rows). */
export type CpuMetrics = GroupValues<'cpu'>;

/** Wi-Fi signal strength in dBm (the catalog's `wifi` rows). */
export type WifiMetrics = GroupValues<'wifi'>;

/** System CPU pressure words, min / avg / max (the catalog's `cpuPressure` rows). */
export type CpuPressureLevels = GroupValues<'cpuPressure'>;

/** One participant's QoS at one `date_time`: the single sample type every source produces. */
export interface QosSample {
  instance: InstanceRef;
  participant: ParticipantRef;
  context: ParticipantContext;
  /** The sample's own time (Zoom's `date_time`), epoch ms. */
  time: number;
  streams: Record<string, StreamMetrics>;
  cpu?: CpuMetrics;
  cpuPressure?: CpuPressureLevels;
  wifi?: WifiMetrics;
}
