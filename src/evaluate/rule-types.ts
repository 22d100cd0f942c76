import type { ContextRuleName, FieldDef } from '../normalize/catalog.js';
import type { SourceKind } from '../normalize/sample.js';
import type { MetricDef } from './metrics.js';

export type Scope = 'participant' | 'instance' | 'shared_cause';
export type Severity = 'info' | 'warning' | 'critical';
/** Any context field of the catalog (data_center, network_type, client_version, health, ...). */
export type GroupField = ContextRuleName;

/** A rule as written (after schema validation). */
export interface RawRule {
  name: string;
  description?: string;
  scope?: Scope;
  sources?: SourceKind[];
  streams?: string[];
  metric: string;
  aggregate?: 'worst' | 'avg';
  when: 'above' | 'below';
  threshold: string | number;
  for?: string;
  recovery?: { threshold?: string | number; for?: string };
  severity?: Severity;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  filters?: Partial<Record<FilterField, string | string[]>>;
  breaching?: { count?: number; ratio?: string };
  min_participants?: number;
  group_by?: GroupField;
  /** shared_cause: this incident explains the participant and meeting alerts of its group. */
  explains?: boolean;
  /** The older name of `explains`. */
  mute_participant_alerts?: boolean;
  /** participant and instance: how an alert a shared cause explains is treated. */
  explained?: { ratio?: string; inhibit?: boolean };
}

export type FilterField = ContextRuleName | 'topic' | 'instance' | 'participant';

/** A context field a rule reads (a filter, `group_by` or an annotation template), and where. */
export interface ContextUse {
  field: FieldDef;
  as: 'filter' | 'group_by' | 'template';
  /** A template use whose every print sits in a `{{#field}}`/`{{^field}}` section: a missing value leaves no gap. */
  guarded?: true;
  /** `file:line:col` of the use. */
  at: string;
}

/** A rule compiled once: thresholds in base units, predicates ready. */
export interface CompiledRule {
  name: string;
  description: string;
  file: string;
  scope: Scope;
  sources: ReadonlySet<SourceKind>;
  streams: readonly string[];
  /** The same streams, for fast lookups. */
  streamSet: ReadonlySet<string>;
  metric: MetricDef;
  aggregate: 'worst' | 'avg';
  above: boolean;
  threshold: number;
  forMs: number;
  recoveryThreshold: number;
  recoveryForMs: number;
  severity: Severity;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** The context fields it reads: they decide which Zoom answers must be read (evaluate/field-needs.ts). */
  contextUses: readonly ContextUse[];
  /** True when a sample's instance and participant pass the rule's filters. */
  matches: (sample: import('../normalize/sample.js').QosSample) => boolean;
  breachingCount?: number;
  breachingRatio?: number;
  minParticipants: number;
  groupBy?: GroupField;
  /** shared_cause: firing, it explains the participant and instance alerts of its group. */
  explains: boolean;
  /** instance: the share of breaching participants a shared cause must explain (default 1: all). */
  explainedRatio: number;
  /** An explained alert is held back (inhibited) rather than sent; default true. */
  inhibitWhenExplained: boolean;
}
