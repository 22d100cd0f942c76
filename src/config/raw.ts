import type { Matchers } from '../notify/matchers.js';
import type { AlertmanagerSettings } from '../notify/plugins/alertmanager.js';
import type { BuiltInKind, BuiltInSettings } from '../notify/settings.js';
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
    date_clock?: 'local' | 'zoom';
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
  notifiers?: RawNotifier[];
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
  recheck_every?: string;
  apps: {
    name: string;
    path: string;
    secret_token?: string;
    secret_token_file?: string;
    event_clock?: 'zoom' | 'follow';
  }[];
}

/** A route as written: durations as text. */
export interface RawRoute {
  receiver?: string;
  match?: Matchers;
  continue?: boolean;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: RawRoute[];
}

/** What every notifier has as written, whatever its kind. */
export interface RawNotifierCommon {
  name: string;
  send_resolved?: boolean;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  rate_limit?: { max: number; per: string };
}

/** A kind's own settings as written: durations as text, a secret also as `<name>_file`. */
export interface RawKindSettings extends Omit<BuiltInSettings, 'alertmanager'> {
  alertmanager: Omit<AlertmanagerSettings, 'endsAfterMs'> & { ends_after?: string };
}

/** A secret given as a file's path: `token_file`, `password_file`... (each kind lists its secrets). */
export type SecretFiles = { [file: `${string}_file`]: string | undefined };

/** A notifier as written (the schema made from the registry checked it), a union on `type`. */
export type RawNotifier =
  | { [K in BuiltInKind]: RawNotifierCommon & { type: K } & RawKindSettings[K] & SecretFiles }[BuiltInKind]
  | (RawNotifierCommon & { type: 'module'; module: string; options?: Record<string, unknown> });

export interface RawSilence {
  matchers: Matchers;
  starts?: string;
  ends?: string;
  /** Recurring windows such as quiet hours: days, start and end times of day, time zone. */
  recurring?: { days?: string[]; start: string; end: string; time_zone?: string };
  comment?: string;
}

export interface RawInhibitRule {
  source_match: Matchers;
  target_match: Matchers;
  /** Labels that must be equal on both alerts. */
  equal?: string[];
}
