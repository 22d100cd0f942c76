import type { Matchers } from './matchers.js';
import type { GroupTiming } from './pipeline/routing.js';
import type { AlertmanagerSettings } from './plugins/alertmanager.js';
import type { ConsoleSettings } from './plugins/console.js';
import type { EmailSettings } from './plugins/email.js';
import type { SlackSettings } from './plugins/slack.js';
import type { WebhookSettings } from './plugins/webhook.js';
import type { YamlSource } from '../util/yaml-source.js';

export { DELIVERY_DEFAULTS } from './plugins/notifier.js';

/** Each built-in notifier kind's own settings, as its plugin in the registry takes them. */
export interface BuiltInSettings {
  console: ConsoleSettings;
  slack: SlackSettings;
  email: EmailSettings;
  webhook: WebhookSettings;
  alertmanager: AlertmanagerSettings;
}
export type BuiltInKind = keyof BuiltInSettings;

/** What every notifier has, whatever its kind, as config/ read it (durations in ms). */
export interface NotifierCommon {
  name: string;
  sendResolved: boolean;
  /** This receiver's group timing, as configured or its kind's default; what is unset is the route's. */
  timing: Partial<GroupTiming>;
  rateLimit?: { max: number; perMs: number };
}

/** A built-in notifier of kind K: the common settings and the kind's own (secrets read from their files). */
export type BuiltInNotifierSettings<K extends BuiltInKind = BuiltInKind> = {
  [P in K]: NotifierCommon & { type: P; settings: BuiltInSettings[P] };
}[K];

/** A notifier of the user's own: its module's file (absolute) and the options its schema checks. */
export interface ModuleNotifierSettings extends NotifierCommon {
  type: 'module';
  module: string;
  options: Record<string, unknown>;
  /**
   * Where `options` are in the config file: the module's schema checks them only once it is
   * loaded (notify/build.ts), and its problems are told at their `file:line:col` as the config's are.
   */
  optionsAt: { source: YamlSource; path: (string | number)[] };
}

/** One notifier as configured: a union on `type`, so each plugin gets its own settings' type. */
export type NotifierSettings = BuiltInNotifierSettings | ModuleNotifierSettings;

/** A route as configured, its timing in ms; what it leaves unset it takes from its parent. */
export interface RouteSettings {
  receiver?: string;
  match?: Matchers;
  continue?: boolean;
  groupBy?: string[];
  timing: Partial<GroupTiming>;
  routes?: RouteSettings[];
}

/** A silence as notify/ takes it (config/ parses `silences:`): times in ms since the epoch. */
export interface SilenceSettings {
  matchers: Matchers;
  startsAt?: number;
  endsAt?: number;
  /** A recurring window such as quiet hours: days (0 = Sunday), minutes of the day, IANA zone. */
  recurring?: { days: number[]; start: number; end: number; zone: string };
  comment: string;
}

/** An inhibit rule as notify/ takes it (config/ parses `inhibit_rules:`). */
export interface InhibitSettings {
  sourceMatch: Matchers;
  targetMatch: Matchers;
  /**
   * Labels that must be equal on both (e.g. instance: a meeting alert mutes that meeting's
   * participant alerts; `instance` takes `instance_uuid` too, pipeline/instance-labels.ts).
   */
  equal: string[];
}

/** What notify/ needs from the configuration (config/ assembles it; notify/ owns its shape). */
export interface NotifySettings {
  notifiers: NotifierSettings[];
  route: RouteSettings;
  /** What the top route takes when the file does not say: receiver (the first notifier), group_by, timing. */
  routeDefaults: { receiver: string; groupBy: string[]; timing: GroupTiming };
  silences: SilenceSettings[];
  inhibitRules: InhibitSettings[];
  delivery: { retryInitialMs: number; retryMaxMs: number; giveUpAfterMs: number; timeoutMs: number };
  /**
   * Notify when an alert resolves because its participant left or its instance ended (written
   * as `rules.notify_left_and_ended`); otherwise such an alert ends silently.
   */
  notifyLeftAndEnded: boolean;
}
