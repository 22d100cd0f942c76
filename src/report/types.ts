import type { ParticipantContext, SourceKind } from '../normalize/sample.js';

/** What a report is about: one instance (an occurrence of a meeting, webinar or session). */
export interface ReportInstance {
  kind: SourceKind;
  /** Meeting or webinar number, or the session id. */
  id: string;
  uuid: string;
  topic: string;
  start?: number;
  /** When it ended; absent while live, when Zoom gave none, and when Zoom's is before `start`. */
  end?: number;
  /**
   * Zoom's end_time when it is before its start_time: bad data, said once in the report's Source
   * line and not shown as the call's span (hT45 L1); the alerts replayed still end at the last sample.
   */
  endBeforeStart?: number;
  /** Still going on when the report was made: the data is Zoom's live QoS window only. */
  live: boolean;
  /** Participants (joins) Zoom counted. */
  participants?: number;
}

/** Where the figures came from, said in every format. */
export type ReportSource = 'qos_summary' | 'pushed_summary' | 'past_samples' | 'live_samples';

/** min / avg / max of one metric over a stay, and the 95th percentile where samples exist. */
export interface Figures {
  min?: number;
  avg?: number;
  max?: number;
  p95?: number;
  /** Samples the p95 (and, without a summary, every figure) was computed from. */
  samples: number;
}

export interface StreamFigures {
  /** Zoom's stream name: audio_input, video_output, as_device_from_crc... */
  stream: string;
  /** By rule metric name (latency, jitter, avg_loss, max_loss, bitrate, frame_rate, ...). */
  metrics: Record<string, Figures>;
}

/** How long a participant's samples breached one rule's threshold. */
export interface RuleBreach {
  rule: string;
  severity: string;
  metric: string;
  threshold: string;
  /** Samples over the threshold; Zoom samples once a minute, so minutes. */
  minutes: number;
  worst: string;
}

/** An alert the rules fire on this data, as the daemon would have. */
export interface FiredAlert {
  rule: string;
  severity: string;
  scope: string;
  since: number;
  until?: number;
  /** The value when it fired. */
  value: string;
  threshold: string;
  /** The participant's key; absent for instance-wide alerts. */
  participant?: string;
}

/** One point of a participant's timeline: the worst over their streams at one sample time. */
export interface TimelinePoint {
  t: number;
  latency?: number;
  jitter?: number;
  loss?: number;
  frameRate?: number;
  /** The participant-scope rules this sample breaches (names); absent when none. */
  over?: string[];
}

export interface ParticipantReport {
  /** The join's key (`user_id`). */
  key: string;
  /** Display name (may be empty: HIPAA accounts, some guests); never a metric label. */
  name: string;
  email: string;
  joined?: number;
  left?: number;
  context: ParticipantContext;
  streams: StreamFigures[];
  cpu: Record<string, Figures>;
  breaches: RuleBreach[];
  alerts: FiredAlert[];
  timeline: TimelinePoint[];
  /** For ordering, worst first: breach minutes, then alerts, then worst latency and loss. */
  score: number;
}

/** A rule of the configuration, as the report applied it. */
export interface ReportRule {
  name: string;
  metric: string;
  /** The threshold written for people ("> 300 ms"). */
  threshold: string;
  /** The threshold in the metric's base unit (seconds, ratio, fps...), for charts. */
  value: number;
  above: boolean;
  severity: string;
  /** participant, instance or shared_cause: only participant rules are drawn on a participant's chart. */
  scope: string;
}

/**
 * A report cut by its budget reserve (`qoswatch report`): the reading stopped before a page
 * that would have taken a call kept for live polling, and the report is made of what was read.
 */
export interface BudgetCut {
  /** Why it stopped: the calls made, the calls left and kept, and the cause. */
  reason: string;
  /** The listings read, in the order asked for: pages read, and whether to their end. */
  read: { listing: string; pages: number; whole: boolean }[];
  /** The listings not asked for at all. */
  notRead: string[];
}

export interface Report {
  instance: ReportInstance;
  generatedAt: number;
  source: ReportSource;
  /** One sentence: which data, and why (the summary refused, say). */
  sourceNote: string;
  /** Zoom API calls this report cost, counted in the daily budget. */
  calls: number;
  rules: ReportRule[];
  participants: ParticipantReport[];
  /** Instance-wide alerts (scope instance or shared_cause). */
  alerts: FiredAlert[];
  /** Present when the budget reserve cut the reading: the report holds only what was read. */
  budgetCut?: BudgetCut;
}
