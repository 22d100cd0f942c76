import type { RulesSettings } from '../evaluate/settings.js';
import type { MetricsSettings } from '../export/settings.js';
import type { NotifySettings } from '../notify/settings.js';
import type { PollSettings, SourcesSettings } from '../poll/settings.js';
import type { WebhooksSettings } from '../poll/webhooks/receiver.js';
import type { ReportsSettings } from '../report/settings.js';
import type { LogSettings } from '../util/logger.js';
import type { YamlSource } from '../util/yaml-source.js';
import type { VideoSdkSettings, ZoomOAuthSettings } from '../zoom/settings.js';

/**
 * What the process itself reads, in app/ and cli/: how it stops and whether it watches the
 * rule files. The file writes them under `poll:` and `rules:`, but no layer below app/ reads
 * them, and config/ may not import app/, so their type is here.
 */
export interface RunSettings {
  /** `poll.shutdown_timeout`: how long a stop lets in-flight calls finish, in ms. */
  shutdownTimeoutMs: number;
  /** `rules.watch`: reload the rules when their files change (`qoswatch run`). */
  watchRules: boolean;
}

/**
 * The configuration after loading: defaults applied, durations in ms, secrets read. Each
 * section is the settings type of the layer that uses it.
 */
export interface Config {
  file: string;
  /** The file as it was read: where each setting is, for warnings said after loading (silences). */
  source: YamlSource;
  zoom?: ZoomOAuthSettings;
  videosdk?: VideoSdkSettings;
  sources: SourcesSettings;
  poll: PollSettings;
  rules: RulesSettings;
  run: RunSettings;
  metrics: MetricsSettings;
  notify: NotifySettings;
  /** QSS webhooks: Zoom pushes QoS to this listener (absent: polling only). */
  webhooks?: WebhooksSettings;
  /** Reports after every call (absent: none are made). */
  reports?: ReportsSettings;
  stateDir: string;
  log: LogSettings;
}
