import type { NotifierPlugin } from './plugins/notifier.js';
import { alertmanagerNotifier } from './plugins/alertmanager.js';
import { consoleNotifier } from './plugins/console.js';
import { emailNotifier } from './plugins/email.js';
import { slackNotifier } from './plugins/slack.js';
import { webhookNotifier } from './plugins/webhook.js';

/**
 * Every built-in notifier kind. Adding one is a file in plugins/ and a line here: its settings
 * join the config's JSON Schema (src/config/schema.ts) and the docs' table from this list.
 */
export const NOTIFIERS: readonly NotifierPlugin<never>[] = [
  consoleNotifier,
  slackNotifier,
  emailNotifier,
  webhookNotifier,
  alertmanagerNotifier,
] as NotifierPlugin<never>[];
