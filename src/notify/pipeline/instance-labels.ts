/**
 * `instance` is a meeting, webinar or session number, which two calls can share (the
 * occurrences of a recurring meeting; a pushed UUID discovery never lists beside the real
 * meeting); `instance_uuid` is the call. A route's `group_by` and an inhibit rule's `equal` that
 * name `instance` mean the call: they take `instance_uuid` too, so two calls sharing a number are
 * never one notification group, nor does one's alert mute the other's. An alert without
 * `instance_uuid` (one that fired before alerts carried it, kept as notified until it resolves)
 * is grouped and compared as before.
 */

/** The group labels of an alert under a route's `group_by` (`...`: every label). */
export function groupLabels(
  groupBy: readonly string[],
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  if (groupBy.includes('...')) return { ...labels };
  const out = Object.fromEntries(groupBy.map((l) => [l, labels[l] ?? '']));
  if (groupBy.includes('instance') && labels.instance_uuid !== undefined)
    out.instance_uuid = labels.instance_uuid;
  return out;
}

/** Whether two alerts' labels agree on an inhibit rule's `equal` labels. */
export function equalLabels(
  equal: readonly string[],
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  if (!equal.every((l) => a[l] === b[l])) return false;
  const ua = a.instance_uuid;
  const ub = b.instance_uuid;
  return !equal.includes('instance') || ua === undefined || ub === undefined || ua === ub;
}
