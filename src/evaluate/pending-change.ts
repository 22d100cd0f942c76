import type { Alert, AlertChange, AlertContext, AlertState } from './alert.js';
import type { Explainer } from './explain.js';
import { renderAlert } from './render-alert.js';
import type { CompiledRule } from './rule-types.js';
import type { SeriesRecord } from './series.js';

/** Fields of a series that can change later and are seldom set when it goes pending. */
type Seldom = Pick<
  SeriesRecord,
  'since' | 'breaching' | 'participants' | 'meetings' | 'explainedBy' | 'explanation'
>;

/**
 * A series going pending. Notifiers do not read pending changes, and in a storm rendering each
 * one would dominate a cycle: it is rendered only if someone reads `alert`, from the series'
 * fields that can change later as they were when it went pending. The rest (id, rule, where it
 * is) never changes, and a context is replaced, never changed in place: neither is copied. A
 * storm holds one per series, so it is kept small: the seldom set fields in an object of their
 * own, only when one is set (group rules, a series that had fired).
 */
export class PendingChange implements AlertChange {
  private rendered: Alert | undefined;
  private readonly value: number;
  private readonly lastTime: number;
  private readonly pendingSince: number | undefined;
  private readonly context: AlertContext;
  private readonly seldom: Seldom | undefined;

  constructor(
    private readonly explainer: Explainer,
    private readonly rule: CompiledRule,
    private readonly rec: SeriesRecord,
    readonly previous: AlertState | 'inactive',
  ) {
    this.value = rec.value;
    this.lastTime = rec.lastTime;
    this.pendingSince = rec.pendingSince;
    this.context = rec.context;
    const { since, breaching, participants, meetings, explainedBy, explanation } = rec;
    const set =
      since !== undefined ||
      breaching !== undefined ||
      participants !== undefined ||
      meetings !== undefined ||
      explainedBy !== undefined ||
      explanation !== undefined;
    this.seldom = set ? { since, breaching, participants, meetings, explainedBy, explanation } : undefined;
  }

  get state(): 'pending' {
    return 'pending';
  }

  get alert(): Alert {
    if (this.rendered) return this.rendered;
    const then: SeriesRecord = {
      ...this.rec,
      state: 'pending',
      value: this.value,
      lastTime: this.lastTime,
      pendingSince: this.pendingSince,
      context: this.context,
      since: undefined,
      breaching: undefined,
      participants: undefined,
      meetings: undefined,
      explainedBy: undefined,
      explanation: undefined,
      ...this.seldom,
    };
    return (this.rendered = renderAlert(this.explainer, this.rule, then, 'pending'));
  }
}
