/**
 * Every default of the configuration, in one place, as a user would write it. A setting left
 * out of the file takes its value from here (notifier kinds add their own group timing in the
 * notifier registry; the route's in notify/build.ts).
 */
export const DEFAULTS = {
  zoom: {
    api_url: 'https://api.zoom.us',
    oauth_url: 'https://zoom.us/oauth/token',
    plan: 'business',
    daily_share: 1,
    timeout: '30s',
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
  delivery: { retry_initial: '1s', retry_max: '5m', give_up_after: '24h', timeout: '30s' },
  webhooks: { listen: '0.0.0.0:9782', max_body_bytes: 65_536, max_age: '5m', takeover_after: '3m' },
  reports: { send: 'alerts', keep: '30d', delay: '2m', source: 'auto', give_up_after: '3d' },
  state: { dir: 'state' },
  log: { level: 'info', format: 'auto' },
} as const;
