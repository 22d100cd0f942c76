import type { RawInhibitRule, RawSilence } from '../notify/mute.js';
import type { RawRoute } from '../notify/route.js';
import type { NotifierSettings } from '../notify/settings.js';
import type { Plan } from '../zoom/limits.js';

/** A configuration file as written (after the schema checked it): settings in snake_case, durations as text. */
export interface RawLimits {
  heavy_per_second?: number;
  resource_intensive_per_minute?: number;
  daily_pool?: number;
  heavy_safety_margin?: number;
}

export interface RawConfig {
  zoom?: {
    api_url?: string;
    oauth_url?: string;
    account_id?: string;
    client_id?: string;
    client_secret?: string;
    client_secret_file?: string;
    plan?: Plan;
    limits?: RawLimits;
    daily_share?: number;
    timeout?: string;
  };
  videosdk?: {
    api_url?: string;
    api_key?: string;
    api_secret?: string;
    api_secret_file?: string;
    plan?: Plan;
    limits?: RawLimits;
    daily_share?: number;
  };
  sources?: { meetings?: boolean; webinars?: boolean; sessions?: boolean };
  poll?: Partial<Record<RawPollDuration, string>> & { concurrency?: number; list_fields?: string[] };
  rules?: { paths?: string[]; gap_tolerance?: string; notify_left_and_ended?: boolean; watch?: boolean };
  metrics?: {
    listen?: string;
    topic_label?: boolean;
    participant_series?: boolean;
    participant_identity_labels?: boolean;
    web?: {
      tls_server_config?: { cert_file: string; key_file: string };
      basic_auth_users?: Record<string, string>;
    };
  };
  notifiers?: NotifierSettings[];
  route?: RawRoute;
  silences?: RawSilence[];
  inhibit_rules?: RawInhibitRule[];
  delivery?: Partial<Record<'retry_initial' | 'retry_max' | 'give_up_after' | 'timeout', string>>;
  state?: { dir?: string };
  webhooks?: RawWebhooks;
  reports?: {
    send?: 'alerts' | 'all' | 'none';
    receivers?: string[];
    keep?: string;
    delay?: string;
    source?: 'auto' | 'summary' | 'samples';
    reserve?: number;
    give_up_after?: string;
  };
  log?: { level?: string; format?: 'json' | 'pretty' | 'auto' };
}

export type RawPollDuration =
  | 'min_interval'
  | 'max_interval'
  | 'discovery_interval'
  | 'context_refresh'
  | 'verdict_refresh'
  | 'fresh_age'
  | 'shutdown_timeout';

export interface RawWebhooks {
  listen?: string;
  web?: { tls_server_config?: { cert_file: string; key_file: string } };
  max_body_bytes?: number;
  max_age?: string;
  takeover_after?: string;
  apps: { name: string; path: string; secret_token?: string; secret_token_file?: string }[];
}
