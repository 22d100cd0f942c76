import { ROUTE_CONTINUE_DEFAULT } from '../notify/pipeline/routing.js';
import { EMAIL_DEFAULTS } from '../notify/plugins/email.js';
import { DELIVERY_DEFAULTS } from '../notify/settings.js';
import { DEFAULT_ZOOM_TIMEOUT } from '../zoom/limits.js';

/**
 * Every default of the configuration, in one place, as a user would write it. A setting left
 * out of the file takes its value from here (the top route's receiver is the first notifier;
 * a notifier module of the user's own may bring its group timing).
 */
export const DEFAULTS = {
  zoom: {
    api_url: 'https://api.zoom.us',
    oauth_url: 'https://zoom.us/oauth/token',
    plan: 'business',
    daily_share: 1,
    timeout: DEFAULT_ZOOM_TIMEOUT,
    date_clock: 'local',
  },
  videosdk: { plan: 'business', daily_share: 1 },
  sources: { meetings: true, webinars: true, sessions: false },
  poll: {
    min_interval: '60s',
    max_interval: '10m',
    discovery_interval: '60s',
    context_refresh: '30m',
    verdict_refresh: '5m',
    fresh_age: '5m',
    shutdown_timeout: '5s',
    concurrency: 8,
  },
  rules: { gap_tolerance: '5m', notify_left_and_ended: true, watch: true },
  metrics: {
    listen: '0.0.0.0:9781',
    topic_label: false,
    participant_series: false,
    participant_identity_labels: false,
  },
  /** The top route's; a child route takes what it leaves unset from its parent. */
  route: {
    group_by: ['alertname', 'instance'],
    group_wait: '30s',
    group_interval: '5m',
    repeat_interval: '4h',
  },
  /** A child route's, not taken from its parent (notify/'s own, re-used here). */
  child_route: { continue: ROUTE_CONTINUE_DEFAULT },
  /** Each notifier kind's own, where it has any (Alertmanager re-posts every minute). */
  notifiers: {
    email: EMAIL_DEFAULTS,
    alertmanager: { group_wait: '0s', group_interval: '1m', repeat_interval: '1m', ends_after: '5m' },
  },
  /** A silence's and an inhibit rule's. */
  silence: { time_zone: 'UTC', comment: '' },
  inhibit_rule: { equal: [] },
  /** notify/'s own (the dispatcher falls back on them when built without settings). */
  delivery: DELIVERY_DEFAULTS,
  /** Every notifier's, whatever its kind. */
  notifier: { send_resolved: true },
  webhooks: {
    listen: '0.0.0.0:9782',
    max_body_bytes: 65_536,
    max_age: '5m',
    takeover_after: '3m',
    recheck_every: '10m',
  },
  reports: { send: 'alerts', keep: '30d', delay: '2m', source: 'auto', give_up_after: '3d' },
  state: { dir: 'state' },
  log: { level: 'info', format: 'auto' },
} as const;
