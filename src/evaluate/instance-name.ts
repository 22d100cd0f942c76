import type { AlertContext } from './alert.js';
import { capitalize } from '../util/words.js';

/**
 * How a message names the meeting, webinar or session of an alert: its topic in quotes
 * (`"Weekly sync"`), or, while its topic is unknown (a pushed meeting no event or discovery has
 * named yet), its kind and number, or UUID (`meeting 4444AAAiAAAAAiAiAiiAii==`); '' when the
 * alert has no instance (a shared cause across meetings).
 */
export function instanceName(c: Pick<AlertContext, 'topic' | 'kind' | 'instanceId' | 'uuid'>): string {
  if (c.topic) return `"${c.topic}"`;
  const id = c.instanceId || c.uuid;
  return id ? `${c.kind ?? 'meeting'} ${id}` : '';
}

/** The same at the start of a sentence: `Meeting 85746065432`. */
export function instanceNameFirst(c: Pick<AlertContext, 'topic' | 'kind' | 'instanceId' | 'uuid'>): string {
  return capitalize(instanceName(c));
}
