import type { Notifier } from '../plugins/notifier.js';
import type { GroupTiming } from './routing.js';

/** A notifier instance with its delivery settings. */
export interface Receiver {
  notifier: Notifier;
  sendResolved: boolean;
  /** Group timing this receiver overrides (its own settings, then its kind's defaults). */
  timing: Partial<GroupTiming>;
  rateLimit?: { max: number; perMs: number };
}
