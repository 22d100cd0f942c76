import type { ParticipantContext, SourceKind } from '../normalize/sample.js';
import type { Scope, Severity } from './rule-types.js';

export type AlertState = 'pending' | 'firing' | 'resolved';
/**
 * Why a firing alert resolved: its value recovered, its participant left, its instance ended, a
 * rule reload removed its rule, or (a meeting or shared cause) its members moved out of its group
 * while still in their meetings (their group_by value changed or went away, or the rule's
 * filters stopped matching them).
 */
export const RESOLVE_REASONS = ['recovered', 'left', 'ended', 'rule_removed', 'moved'] as const;
export type ResolveReason = (typeof RESOLVE_REASONS)[number];

/**
 * What a resolve's `reason` may read when read back from notify.json: any lowercase word, not
 * only RESOLVE_REASONS. A resolve a newer qoswatch wrote with a reason this one does not know is
 * delivered as it reads (notifiers print it as text), not set aside (before `moved`, c8c0587, a
 * downgrade set aside each waiting resolve `moved`, and the upgrade back found it gone).
 */
export const REASON_PATTERN = '^[a-z_]{1,40}$';
/** An alert's reason: one of RESOLVE_REASONS, or (read back, see REASON_PATTERN) another word. */
export type AlertReason = ResolveReason | (string & Record<never, never>);

/**
 * What a person needs to know about who and where: the participant's context (every context
 * field of the catalog) and the alert's own. Any field may be unknown.
 */
export interface AlertContext extends ParticipantContext {
  kind?: SourceKind;
  instanceId?: string;
  uuid?: string;
  topic?: string;
  /** The participant's name when Zoom gives one, else the id. */
  participant?: string;
  participantKey?: string;
  device?: string;
  networkType?: string;
  dataCenter?: string;
  location?: string;
  connectionType?: string;
  clientVersion?: string;
  /** The stream with the worst value. */
  stream?: string;
  /** instance and shared_cause: participants breaching, and with data. */
  breaching?: number;
  participants?: number;
  group?: string;
  groupBy?: string;
}

export interface Alert {
  /** Stable identity: rule + scope key. */
  id: string;
  rule: string;
  scope: Scope;
  state: AlertState;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** A firing alert's annotations as a reminder (templates with a `{{#repeating}}` section). */
  repeatAnnotations?: Record<string, string>;
  /** In base units; for instance and shared_cause the share of participants breaching. */
  value: number;
  valueText: string;
  /**
   * On a resolve, the value it last fired with (its group held it firing when the resolve came,
   * notify/pipeline/store.ts): what a fired-and-resolved message shows, not the recovered value.
   */
  firedValue?: number;
  firedValueText?: string;
  /**
   * How bad it got: the worst value of its episode (from its first breaching sample, while
   * pending or firing), the highest for a rule `above` and a group's share, the lowest for one
   * `below`; firing, the worst so far; resolved, of the whole episode (never the recovered value,
   * nor a leaver's last sample under the threshold: that is `value`). With the sample time it was
   * first seen. Absent in alerts saved by a qoswatch before it.
   */
  worst?: number;
  worstText?: string;
  worstAt?: number;
  threshold: number;
  thresholdText: string;
  /**
   * Sample time the breach that made it fire began (when it went pending); fixed once it
   * fires, the same in its firing, repeat and resolved messages.
   */
  since: number;
  /** How long it has breached, in sample time: newest sample (or the start of the recovery that resolved it) minus `since`. */
  durationMs: number;
  firingSince?: number;
  resolvedAt?: number;
  /** Why it resolved: one of RESOLVE_REASONS when this qoswatch resolved it (see AlertReason). */
  reason?: AlertReason;
  /** Sample time of the newest observation. */
  lastSampleAt: number;
  context: AlertContext;
  /** Id of the firing shared-cause alert that explains this one, and why in words. */
  explainedBy?: string;
  explanation?: string;
  /** Set when the explained alert is held back (the rule's `explained.inhibit`, default true). */
  inhibitedBy?: string;
}

export interface AlertChange {
  /** The new state, cheap to read (pending alerts are rendered only when `alert` is read). */
  state: AlertState;
  readonly alert: Alert;
  /** What it was before: a new alert was `inactive`. */
  previous: AlertState | 'inactive';
}
