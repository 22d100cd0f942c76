import type { NotifierSettings } from '../../src/notify/settings.js';

/** A webhook notifier's settings as config/ reads `{ name, type: webhook, url }` from a file. */
export const webhookTo = (url: string, name = 'hook'): NotifierSettings => ({
  name,
  type: 'webhook',
  sendResolved: true,
  timing: {},
  settings: { url },
});
