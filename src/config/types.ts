import type { Plan, RateLimits } from '../zoom/limits.js';

/** The configuration after loading: defaults applied, durations in ms, secrets read. */
export interface Config {
  file: string;
  zoom?: ZoomAccount & { accountId: string; clientId: string; clientSecret: string; oauthUrl: string };
  videosdk?: ZoomAccount & { apiKey: string; apiSecret: string };
  sources: { meetings: boolean; webinars: boolean; sessions: boolean };
  poll: {
    minIntervalMs: number;
    maxIntervalMs: number;
    discoveryIntervalMs: number;
    contextRefreshMs: number;
    freshAgeMs: number;
    concurrency: number;
    shutdownTimeoutMs: number;
  };
  rules: { paths: string[]; gapToleranceMs: number; notifyLeftAndEnded: boolean; watch: boolean };
  metrics: { host: string; port: number };
  stateDir: string;
  log: { level: string; format: 'json' | 'pretty' | 'auto' };
}

export interface ZoomAccount {
  apiUrl: string;
  plan: Plan;
  limits: RateLimits;
  dailyShare: number;
  timeoutMs: number;
}
