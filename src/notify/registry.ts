import type { Notifier, NotifierContext, NotifierPlugin } from './plugins/notifier.js';
import { alertmanagerNotifier } from './plugins/alertmanager.js';
import { consoleNotifier } from './plugins/console.js';
import { emailNotifier } from './plugins/email.js';
import { slackNotifier } from './plugins/slack.js';
import { webhookNotifier } from './plugins/webhook.js';
import type { BuiltInKind, BuiltInNotifierSettings, BuiltInSettings } from './settings.js';

/**
 * Every built-in notifier kind, each typed by its own settings. Adding one is a file in plugins/,
 * a line here and its settings' type in settings.ts (config/notifier-kinds.ts reads it from the
 * file): its settings join the config's JSON Schema (src/config/schema.ts) and the docs' table.
 */
const PLUGINS: { [K in BuiltInKind]: NotifierPlugin<BuiltInSettings[K]> } = {
  console: consoleNotifier,
  slack: slackNotifier,
  email: emailNotifier,
  webhook: webhookNotifier,
  alertmanager: alertmanagerNotifier,
};

/** A built-in plugin, whatever its kind (for its schema and description). */
export type AnyBuiltInPlugin = { [K in BuiltInKind]: NotifierPlugin<BuiltInSettings[K]> }[BuiltInKind];

/** The built-in kinds in the order the schema and the docs list them. */
export const NOTIFIERS: readonly AnyBuiltInPlugin[] = Object.values(PLUGINS);

/** A built-in notifier made by its kind's plugin from its own settings, typed together. */
export function createBuiltIn<K extends BuiltInKind>(
  s: BuiltInNotifierSettings<K>,
  ctx: NotifierContext,
): Notifier {
  const plugin: NotifierPlugin<BuiltInSettings[K]> = PLUGINS[s.type];
  return plugin.create(s.settings, ctx);
}
