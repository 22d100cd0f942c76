import type { Alert, AlertChange, AlertContext, AlertState } from './alert.js';
import type { Explainer } from './explain.js';
import { renderAlert } from './render-alert.js';
import type { CompiledRule } from './rule-types.js';
import type { SeriesRecord } from './series.js';

/**
 * A series going pending. Notifiers do not read pending changes, and in a storm rendering each
 * one would dominate a cycle: it is rendered only if someone reads `alert`, from the series'
 * fields that can change later as they were when it went pending. The rest (id, rule, where it
 * is) never changes, and a context is replaced, never changed in place: neither is copied.
 */
export class PendingChange implements AlertChange {
  readonly state = 'pending' as const;
  private rendered: Alert | undefined;
  private readonly value: number;
  private readonly lastTime: number;
  private readonly pendingSince: number | undefined;
  private readonly since: number | undefined;
  private readonly context: AlertContext;
  private readonly breaching: number | undefined;
  private readonly participants: number | undefined;
  private readonly meetings: number | undefined;
  private readonly explainedBy: string | undefined;
  private readonly explanation: string | undefined;

  constructor(
    private readonly explainer: Explainer,
    private readonly rule: CompiledRule,
    private readonly rec: SeriesRecord,
    readonly previous: AlertState | 'inactive',
  ) {
    this.value = rec.value;
    this.lastTime = rec.lastTime;
    this.pendingSince = rec.pendingSince;
    this.since = rec.since;
    this.context = rec.context;
    this.breaching = rec.breaching;
    this.participants = rec.participants;
    this.meetings = rec.meetings;
    this.explainedBy = rec.explainedBy;
    this.explanation = rec.explanation;
  }

  get alert(): Alert {
    if (this.rendered) return this.rendered;
    const { rec } = this;
    const then: SeriesRecord = {
      ...rec,
      state: 'pending',
      value: this.value,
      lastTime: this.lastTime,
      pendingSince: this.pendingSince,
      since: this.since,
      context: this.context,
      breaching: this.breaching,
      participants: this.participants,
      meetings: this.meetings,
      explainedBy: this.explainedBy,
      explanation: this.explanation,
    };
    return (this.rendered = renderAlert(this.explainer, this.rule, then, 'pending'));
  }
}
