import { configSchema } from './schema.js';

type SchemaNode = Record<string, unknown>;
const isNode = (v: unknown): v is SchemaNode => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The paths of the schema's `httpUrl` settings, `*` for any list index (notifiers.*.url). */
function urlPaths(node: unknown, path: string[] = [], out: string[][] = []): string[][] {
  if (!isNode(node)) return out;
  if (node.httpUrl === true) out.push(path);
  if (isNode(node.properties))
    for (const [k, v] of Object.entries(node.properties)) urlPaths(v, [...path, k], out);
  if (node.items) urlPaths(node.items, [...path, '*'], out);
  // A notifier kind's settings are under allOf[i].then: the same place in the file.
  for (const k of ['allOf', 'anyOf', 'oneOf'])
    if (Array.isArray(node[k])) for (const v of node[k] as unknown[]) urlPaths(v, path, out);
  for (const k of ['then', 'else']) urlPaths(node[k], path, out);
  return out;
}

let paths: string[][] | undefined;

/**
 * Whether a setting (a path in the file, `['notifiers', 2, 'url']`) is one of the URL settings:
 * those the schema checks with `httpUrl` (zoom.api_url, notifiers' url...). Taken from the
 * schema, so a URL setting added there is one here.
 */
export function isUrlSetting(path: readonly (string | number)[]): boolean {
  paths ??= urlPaths(configSchema());
  return paths.some(
    (p) =>
      p.length === path.length &&
      p.every((seg, i) => (seg === '*' ? typeof path[i] === 'number' : seg === path[i])),
  );
}
