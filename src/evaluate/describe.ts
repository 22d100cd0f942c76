import { humanDuration } from '../util/words.js';
import type { AlertChange } from './alert.js';

/** One readable line per alert change, for logs, the demo and `--dry-run`. */
export function describeChange(c: AlertChange): string {
  const a = c.alert;
  // "(threshold > 300 ms)": a resolve's value is under it, and "134 ms (> 300 ms)" read as 134 > 300.
  const what = a.annotations.summary ?? `${a.rule}: ${a.valueText} (threshold ${a.thresholdText})`;
  const sev = a.severity.toUpperCase();
  switch (a.state) {
    case 'pending':
      return `PENDING ${sev} ${a.rule}: ${what}`;
    case 'firing':
      return `FIRING ${sev} ${a.rule}: ${what}${a.explainedBy ? ` [explained by ${a.explainedBy}${a.inhibitedBy ? ', not sent' : ''}]` : ''}`;
    case 'resolved':
      return `RESOLVED ${a.rule} (${a.reason ?? 'recovered'}, breached for ${humanDuration(a.durationMs)} of sample time): ${what}`;
  }
}
