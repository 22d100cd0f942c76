import type { RawInhibitRule, RawSilence } from './mute.js';
import type { RawRoute } from './route.js';

/** One notifier as configured: its name, its type, and its type's settings, secrets read. */
export type NotifierSettings = Record<string, unknown> & { name: string; type: string };

/** What notify/ needs from the configuration (config/ assembles it; notify/ owns its shape). */
export interface NotifySettings {
  /** Each notifier's settings as written, secrets read from their files. */
  notifiers: NotifierSettings[];
  route: RawRoute;
  silences: RawSilence[];
  inhibitRules: RawInhibitRule[];
  delivery: { retryInitialMs: number; retryMaxMs: number; giveUpAfterMs: number; timeoutMs: number };
}
