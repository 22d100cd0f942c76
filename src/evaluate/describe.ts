import { formatDuration } from '../util/duration.js';
import type { AlertChange } from './alert.js';

/** One readable line per alert change, for logs, the demo and `--dry-run`. */
export function describeChange(c: AlertChange): string {
  const a = c.alert;
  const what = a.annotations.summary ?? `${a.rule}: ${a.valueText} (${a.thresholdText})`;
  const sev = a.severity.toUpperCase();
  switch (a.state) {
    case 'pending':
      return `PENDING ${sev} ${a.rule}: ${what}`;
    case 'firing':
      return `FIRING ${sev} ${a.rule}: ${what}${a.inhibitedBy ? ` [explained by ${a.inhibitedBy}]` : ''}`;
    case 'resolved': {
      const lasted =
        a.firingSince !== undefined && a.resolvedAt !== undefined
          ? `, fired for ${formatDuration(a.resolvedAt - a.firingSince)}`
          : '';
      return `RESOLVED ${a.rule} (${a.reason ?? 'recovered'}${lasted}): ${what}`;
    }
  }
}
