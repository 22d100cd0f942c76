import type { FileProblem } from '../util/file-errors.js';
import { pointerToPath } from '../util/yaml-file.js';
import { formatPath } from '../util/yaml-source.js';

/**
 * The part of the file a problem at the setting `path` is about: its list item
 * (`webhooks.apps[1]`, `notifiers[0]`, `route.routes[2]`), else its section (`poll`).
 */
function unitOf(path: string): string {
  const item = path.indexOf(']');
  if (item >= 0) return path.slice(0, item + 1);
  const end = path.search(/[.[]/);
  return end < 0 ? path : path.slice(0, end);
}

/** Whether the setting `path` is `outer` or inside it. */
const within = (path: string, outer: string): boolean =>
  outer === '' || path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);

/**
 * Of the problems the settings' own checks found in a file the schema refused (its values at
 * the JSON pointers `invalid`), those that stand apart from the schema's: about a list item or
 * a section in which the schema found nothing wrong, and not under a value it refused. A
 * webhook app's path given twice is one (`webhooks.apps[1].path`, when the schema's problem is
 * `webhooks.apps[0].secret_token`); a `poll.max_interval` below a `poll.min_interval` the schema
 * could not read, or an app's "missing secret_token" where its secret_token is refused, are not
 * (they would say again, or wrongly, what the schema says). A problem about the whole file
 * (no path) is left out too.
 */
export function independentProblems(
  found: readonly FileProblem[],
  invalid: readonly string[],
): FileProblem[] {
  const refused = invalid.map((pointer) => formatPath(pointerToPath(pointer)));
  return found.filter(
    (p) => p.path !== '' && !refused.some((r) => within(r, unitOf(p.path)) || within(p.path, r)),
  );
}
