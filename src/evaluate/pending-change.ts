import type { Alert, AlertChange } from './alert.js';
import type { Explainer } from './explain.js';
import { renderAlert } from './render-alert.js';
import type { CompiledRule } from './rule-types.js';
import { copyOf, OUTSTANDING, type Outstanding, type SeriesRecord } from './series.js';

/**
 * A series going pending (only an inactive one does). Notifiers do not read pending changes,
 * and in a storm rendering each one would dominate a cycle: it is rendered only if someone
 * reads `alert`. A storm holds one per series, so it copies nothing while it can: the series
 * points back at it (OUTSTANDING), and only when the series is about to change with the change
 * still unread (series.ts' `record`, alert-changes.ts' `apply`) does the change keep a copy of
 * the series as it was. Rendered or copied, it lets go of the series' pointer. The series'
 * context is replaced, never changed in place: the copy shares it. Two fields (40 B, was 56 with
 * its explainer, rule and a flag): a storm of 1,075,015 pending changes holds 17 MB less.
 */
export class PendingChange implements AlertChange, Outstanding {
  /** The series (or its copy as it was when it went pending) until read, then its alert. */
  private then: SeriesRecord | Alert;
  /** What renders it, shared by its rule's changes; undefined once rendered (`then` is the alert). */
  private by: RenderWith | undefined;

  constructor(explainer: Explainer, rule: CompiledRule, rec: SeriesRecord) {
    this.then = rec;
    this.by = renderWith(explainer, rule);
    rec[OUTSTANDING] = this;
  }

  get state(): 'pending' {
    return 'pending';
  }

  get previous(): 'inactive' {
    return 'inactive';
  }

  freeze(): void {
    const rec = this.then as SeriesRecord;
    rec[OUTSTANDING] = undefined;
    const then = copyOf(rec);
    then[OUTSTANDING] = undefined;
    this.then = then;
  }

  get alert(): Alert {
    const by = this.by;
    if (!by) return this.then as Alert;
    const then = this.then as SeriesRecord;
    if (then[OUTSTANDING] === this) then[OUTSTANDING] = undefined;
    this.by = undefined;
    return (this.then = renderAlert(by.explainer, by.rule, then, 'pending'));
  }
}

/** The explainer and rule a pending change is rendered with (one object per rule, not two fields per change). */
interface RenderWith {
  explainer: Explainer;
  rule: CompiledRule;
}

/**
 * Per explainer (an engine's), its rules' RenderWith: kept by the explainer, so that an engine
 * let go of goes with its changes' renderers. Kept by the rule (a WeakMap of rules), the rule
 * set of a bench or a reload kept the last engine to make a pending change alive with it.
 */
const renderers = new WeakMap<Explainer, WeakMap<CompiledRule, RenderWith>>();

function renderWith(explainer: Explainer, rule: CompiledRule): RenderWith {
  let byRule = renderers.get(explainer);
  if (!byRule) renderers.set(explainer, (byRule = new WeakMap()));
  let by = byRule.get(rule);
  if (!by) byRule.set(rule, (by = { explainer, rule }));
  return by;
}
