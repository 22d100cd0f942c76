import type { RawInhibitRule, RawSilence } from './mute.js';
import type { RawRoute } from './route.js';

/**
 * One notifier as configured, secrets read from their files: the settings every kind has, typed,
 * and the kind's own settings (url, token, channel...) beside them, as the schema its plugin
 * declares in the registry checked them; the plugin's create() takes them.
 */
export interface NotifierSettings {
  name: string;
  type: string;
  send_resolved?: boolean;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  rate_limit?: { max: number; per: string };
  /** type: module: the module's file (absolute), and the options handed to it. */
  module?: string;
  options?: Record<string, unknown>;
  [setting: string]: unknown;
}

/** What notify/ needs from the configuration (config/ assembles it; notify/ owns its shape). */
export interface NotifySettings {
  /** Each notifier's settings as written, secrets read from their files. */
  notifiers: NotifierSettings[];
  route: RawRoute;
  silences: RawSilence[];
  inhibitRules: RawInhibitRule[];
  delivery: { retryInitialMs: number; retryMaxMs: number; giveUpAfterMs: number; timeoutMs: number };
}
