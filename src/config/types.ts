import type { NotifySettings } from '../notify/settings.js';
import type { PollSettings } from '../poll/settings.js';
import type { WebhooksSettings } from '../poll/webhooks/receiver.js';
import type { ReportsSettings } from '../report/settings.js';
import type { Plan, RateLimits } from '../zoom/limits.js';

/** The configuration after loading: defaults applied, durations in ms, secrets read. */
export interface Config {
  file: string;
  zoom?: ZoomAccount & { accountId: string; clientId: string; clientSecret: string; oauthUrl: string };
  videosdk?: ZoomAccount & { apiKey: string; apiSecret: string };
  sources: { meetings: boolean; webinars: boolean; sessions: boolean };
  poll: PollSettings;
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
  notify: NotifySettings;
  /** QSS webhooks: Zoom pushes QoS to this listener (absent: polling only). */
  webhooks?: WebhooksSettings;
  /** Reports after every call (absent: none are made). */
  reports?: ReportsSettings;
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
