/** A JSON object as parsed: names to values not yet checked. */
export type JsonObject = Record<string, unknown>;

/** Whether a parsed JSON value is an object (not null, not an array): what Zoom and our files hold. */
export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The map held under `name`, made empty when there is none. Own entries only: under
 * "constructor" or "toString" every object already has a value, its prototype's function.
 */
export function ownMap<V>(maps: Record<string, Record<string, V>>, name: string): Record<string, V> {
  return Object.hasOwn(maps, name) ? maps[name]! : (maps[name] = {});
}
