import { parseConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { YamlSource } from '../util/yaml-source.js';

/**
 * The daemon's configuration for the demo: every source on, pointed at the local simulator.
 * Written as a user would write it and read like any config file, so every other setting takes
 * its default from config/defaults.ts.
 */
export function demoConfig(simUrl: string, stateDir: string, port: number): Config {
  const account = { daily_share: 0.5 };
  const settings = {
    zoom: {
      ...account,
      api_url: simUrl,
      oauth_url: `${simUrl}/oauth/token`,
      account_id: 'demo-account',
      client_id: 'demo-client',
      client_secret: 'demo-secret',
      timeout: '10s',
    },
    videosdk: { ...account, api_key: 'demo-key', api_secret: 'demo-secret' },
    sources: { meetings: true, webinars: true, sessions: true },
    poll: { shutdown_timeout: '2s' },
    rules: { watch: false },
    metrics: { listen: `127.0.0.1:${port}`, topic_label: true },
    // One console notifier: alerts grouped per rule, so a storm prints as one message.
    notifiers: [{ name: 'console', type: 'console' }],
    route: {
      receiver: 'console',
      group_by: ['alertname'],
      group_wait: '30s',
      group_interval: '2m',
      repeat_interval: '1h',
    },
    inhibit_rules: [
      { source_match: { scope: 'instance' }, target_match: { scope: 'participant' }, equal: ['instance'] },
    ],
    delivery: { retry_max: '1m', give_up_after: '1h', timeout: '10s' },
    state: { dir: stateDir },
    log: { format: 'pretty' },
  };
  // JSON is YAML: the demo's settings go through the same schema, checks and defaults.
  return parseConfig(new YamlSource('(demo)', JSON.stringify(settings)), {});
}
