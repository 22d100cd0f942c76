import type { SourceChoice } from './fetch.js';

/** `reports:` of the configuration: reports after every call (config/ reads it; app/ runs it). */
export interface ReportsSettings {
  /** Which reports are sent: those with alerts, all, or none (kept and served only). */
  send: 'alerts' | 'all' | 'none';
  /** Notifier names; the top route's receiver when the config names none. */
  receivers: string[];
  keepMs: number;
  /** After an instance ends, before Zoom is asked for its past data. */
  delayMs: number;
  source: SourceChoice;
  /** Calls of the day's budget never spent on reports, beyond what live polling needs; undefined: a tenth of the share. */
  reserve?: number;
  giveUpAfterMs: number;
}
