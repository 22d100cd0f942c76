import type { RawInhibitRule, RawSilence } from '../notify/mute.js';
import type { RawRoute } from '../notify/route.js';
import type { WebhooksSettings } from '../poll/webhooks/receiver.js';
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
  metrics: {
    host: string;
    port: number;
    topicLabel: boolean;
    participantSeries: boolean;
    participantIdentity: boolean;
    tls?: { certFile: string; keyFile: string };
    basicAuthUsers?: Record<string, string>;
  };
  notify: {
    /** Each notifier's settings as written, secrets read from their files. */
    notifiers: (Record<string, unknown> & { name: string; type: string })[];
    route: RawRoute;
    silences: RawSilence[];
    inhibitRules: RawInhibitRule[];
    delivery: { retryInitialMs: number; retryMaxMs: number; giveUpAfterMs: number; timeoutMs: number };
  };
  /** QSS webhooks: Zoom pushes QoS to this listener (absent: polling only). */
  webhooks?: WebhooksSettings;
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
