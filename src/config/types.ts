import type { RulesSettings } from '../evaluate/settings.js';
import type { MetricsSettings } from '../export/settings.js';
import type { NotifySettings } from '../notify/settings.js';
import type { PollSettings, SourcesSettings } from '../poll/settings.js';
import type { WebhooksSettings } from '../poll/webhooks/receiver.js';
import type { ReportsSettings } from '../report/settings.js';
import type { LogSettings } from '../util/logger.js';
import type { VideoSdkSettings, ZoomOAuthSettings } from '../zoom/settings.js';

/**
 * The configuration after loading: defaults applied, durations in ms, secrets read. Each
 * section is the settings type of the layer that uses it.
 */
export interface Config {
  file: string;
  zoom?: ZoomOAuthSettings;
  videosdk?: VideoSdkSettings;
  sources: SourcesSettings;
  poll: PollSettings;
  rules: RulesSettings;
  metrics: MetricsSettings;
  notify: NotifySettings;
  /** QSS webhooks: Zoom pushes QoS to this listener (absent: polling only). */
  webhooks?: WebhooksSettings;
  /** Reports after every call (absent: none are made). */
  reports?: ReportsSettings;
  stateDir: string;
  log: LogSettings;
}
