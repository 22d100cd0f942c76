import type { Alert, AlertChange } from './alert.js';
import type { Explainer } from './explain.js';
import { renderAlert } from './render-alert.js';
import type { CompiledRule } from './rule-types.js';
import { OUTSTANDING, type Outstanding, type SeriesRecord } from './series.js';

/**
 * A series going pending (only an inactive one does). Notifiers do not read pending changes,
 * and in a storm rendering each one would dominate a cycle: it is rendered only if someone
 * reads `alert`. A storm holds one per series, so it copies nothing while it can: the series
 * points back at it (OUTSTANDING), and only when the series is about to change with the change
 * still unread (series.ts' `record`, alert-changes.ts' `apply`) does the change keep a copy of
 * the series as it was. Rendered or copied, it lets go of the series' pointer. The series'
 * context is replaced, never changed in place: the copy shares it.
 */
export class PendingChange implements AlertChange, Outstanding {
  /** The series (or its copy as it was when it went pending) until read, then its alert. */
  private then: SeriesRecord | Alert;
  private rendered = false;

  constructor(
    private readonly explainer: Explainer,
    private readonly rule: CompiledRule,
    rec: SeriesRecord,
  ) {
    this.then = rec;
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
    this.then = { ...rec, [OUTSTANDING]: undefined };
  }

  get alert(): Alert {
    if (this.rendered) return this.then as Alert;
    const then = this.then as SeriesRecord;
    if (then[OUTSTANDING] === this) then[OUTSTANDING] = undefined;
    this.rendered = true;
    return (this.then = renderAlert(this.explainer, this.rule, then, 'pending'));
  }
}
