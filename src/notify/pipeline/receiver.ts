import type { Notifier } from '../notifier.js';
import type { GroupTiming } from '../route.js';

/** A notifier instance with its delivery settings. */
export interface Receiver {
  notifier: Notifier;
  sendResolved: boolean;
  /** Group timing this receiver overrides (its own settings, then its kind's defaults). */
  timing: Partial<GroupTiming>;
  rateLimit?: { max: number; perMs: number };
}
