import type { S2SCredentials } from './auth.js';
import type { Plan, RateLimits } from './limits.js';
import type { DateClockMode } from './zoom-clock.js';

/** One Zoom account as configured (config/ assembles it from `zoom:` or `videosdk:`; durations in ms). */
export interface ZoomAccountSettings {
  /** API host, e.g. https://api.zoom.us; `/v2` is appended. */
  apiUrl: string;
  plan: Plan;
  limits: RateLimits;
  /** Share (0 to 1] of the account's daily pool qoswatch may use. */
  dailyShare: number;
  /** Real-time bound on one request (and one token request). */
  timeoutMs: number;
  /** `zoom.date_clock`: whether Zoom's `Date` is bounded by this machine's clock (zoom-clock.ts). */
  dateClock: DateClockMode;
}

/** The Zoom account of meetings and webinars (`zoom:`): Server-to-Server OAuth. */
export type ZoomOAuthSettings = ZoomAccountSettings & S2SCredentials;

/** The Video SDK account of sessions (`videosdk:`): JWTs signed with its key and secret. */
export interface VideoSdkSettings extends ZoomAccountSettings {
  apiKey: string;
  apiSecret: string;
}
