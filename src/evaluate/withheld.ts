import { shownKey } from '../normalize/zoom-text.js';
import type { AlertContext } from './alert.js';

/** What stands in for a participant's location in alerts shown without the identity opt-in. */
export const WITHHELD = '[withheld]';

/**
 * An alert's context with the participant's identity withheld: the name becomes the stable
 * participant key (as shownKey shows it), the location (and a group that is a location) becomes WITHHELD. Alerts are
 * rendered from this context, so no template (possessives, quotes, the explanation) can carry
 * the name or place.
 */
export function withheldContext(c: AlertContext): AlertContext {
  const out: AlertContext = { ...c };
  delete out.participant;
  if (c.participantKey) out.participant = shownKey(c.participantKey);
  if (c.location) out.location = WITHHELD;
  if (c.group && c.groupBy === 'location') out.group = WITHHELD;
  return out;
}

/** A group value as shown without the identity opt-in: a location is withheld. */
export const withheldGroup = (groupBy: string, value: string): string =>
  groupBy === 'location' ? WITHHELD : value;
