import type { Alert } from '../evaluate/alert.js';

/** What stands in for a participant's name or location in /api/v1/alerts without the opt-in. */
export const WITHHELD = '[withheld]';

/**
 * An alert as /api/v1/alerts shows it when participant identity is not opted in
 * (`metrics.participant_identity_labels`) and no basic auth guards the endpoint: the
 * participant's name becomes the stable participant key, and the location is withheld, in
 * the id, the context, the labels and the rendered annotations alike. E-mails and IPs never reach
 * an alert. Rule, severity, values, times and the meeting stay as they are.
 */
export function withoutIdentity(alert: Alert): Alert {
  const c = alert.context;
  const swaps: [string, string][] = [];
  if (c.participant && c.participant !== c.participantKey)
    swaps.push([c.participant, c.participantKey ?? WITHHELD]);
  if (c.location) swaps.push([c.location, WITHHELD]);
  if (c.groupBy === 'location' && c.group) swaps.push([c.group, WITHHELD]);
  const scrub = (text: string): string =>
    swaps.reduce((t, [from, to]) => (from ? t.split(from).join(to) : t), text);
  const scrubAll = (o: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, scrub(v)]));
  const context = { ...c };
  delete context.participant;
  delete context.location;
  return {
    ...alert,
    id: scrub(alert.id),
    ...(alert.inhibitedBy ? { inhibitedBy: scrub(alert.inhibitedBy) } : {}),
    labels: scrubAll(alert.labels),
    annotations: scrubAll(alert.annotations),
    ...(alert.repeatAnnotations ? { repeatAnnotations: scrubAll(alert.repeatAnnotations) } : {}),
    ...(alert.explanation ? { explanation: scrub(alert.explanation) } : {}),
    context: {
      ...context,
      ...(c.participantKey ? { participant: c.participantKey } : {}),
      ...(c.location ? { location: WITHHELD } : {}),
      ...(c.group && c.groupBy === 'location' ? { group: WITHHELD } : {}),
    },
  };
}
