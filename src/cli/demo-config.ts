import type { Config } from '../config/types.js';
import { fromRoot } from '../util/package-root.js';
import { PLAN_DEFAULTS } from '../zoom/limits.js';

/** The daemon's configuration for the demo: every source on, pointed at the local simulator. */
export function demoConfig(simUrl: string, stateDir: string, port: number): Config {
  const account = {
    apiUrl: simUrl,
    plan: 'business' as const,
    limits: PLAN_DEFAULTS.business,
    dailyShare: 0.5,
    timeoutMs: 10_000,
  };
  return {
    file: '(demo)',
    zoom: {
      ...account,
      oauthUrl: `${simUrl}/oauth/token`,
      accountId: 'demo-account',
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    },
    videosdk: { ...account, apiKey: 'demo-key', apiSecret: 'demo-secret' },
    sources: { meetings: true, webinars: true, sessions: true },
    poll: {
      minIntervalMs: 60_000,
      maxIntervalMs: 600_000,
      discoveryIntervalMs: 60_000,
      contextRefreshMs: 1_800_000,
      freshAgeMs: 300_000,
      concurrency: 8,
      shutdownTimeoutMs: 2_000,
    },
    rules: { paths: [fromRoot('rules')], gapToleranceMs: 300_000, notifyLeftAndEnded: true, watch: false },
    metrics: {
      host: '127.0.0.1',
      port,
      topicLabel: true,
      participantSeries: false,
      participantIdentity: false,
    },
    // One console notifier: alerts grouped per rule, so a storm prints as one message.
    notify: {
      notifiers: [{ name: 'console', type: 'console' }],
      route: {
        receiver: 'console',
        group_by: ['alertname'],
        group_wait: '30s',
        group_interval: '2m',
        repeat_interval: '1h',
      },
      silences: [],
      inhibitRules: [
        { source_match: { scope: 'instance' }, target_match: { scope: 'participant' }, equal: ['instance'] },
      ],
      delivery: { retryInitialMs: 1000, retryMaxMs: 60_000, giveUpAfterMs: 3_600_000, timeoutMs: 10_000 },
    },
    stateDir,
    log: { level: 'info', format: 'pretty' },
  };
}
