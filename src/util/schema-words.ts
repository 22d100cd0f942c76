import type { ErrorObject } from 'ajv';
import { plural } from './words.js';

/**
 * What schema problems say a value should be, in words, for the keywords that carry a limit
 * (sizes, number bounds, unique items) or a type: ajv's own messages ("must NOT have fewer than
 * 1 items", "must be integer") never reach people (util/yaml-file.ts).
 */

/** What each JSON type is called in messages. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'nothing',
};

/** "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** `string,number` (ajv's params.type) or a schema's `type`: "a string or a number". */
export function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
  return orList(types.map((t) => TYPE_NAMES[t] ?? t));
}

/** What a keyword with a size limit wants, and what was found, by its size only. */
interface SizeWords {
  found: string;
  expected: string;
}

const limitOf = (e: ErrorObject): number => (e.params as { limit?: number }).limit ?? 0;

function listFound(v: unknown): string {
  if (!Array.isArray(v)) return 'a list';
  return v.length ? `a list of ${plural(v.length, 'item')}` : 'an empty list';
}

function stringFound(v: unknown): string {
  // Code points, as ajv counts minLength and maxLength.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points are what is counted
  const n = typeof v === 'string' ? [...v].length : 0;
  return n ? `a string of ${plural(n, 'character')}` : 'an empty string';
}

function mappingFound(v: unknown): string {
  const n = v && typeof v === 'object' ? Object.keys(v).length : 0;
  return n ? `a mapping of ${plural(n, 'entry', 'entries')}` : 'an empty mapping';
}

/**
 * minItems, maxItems, minLength, maxLength, minProperties, maxProperties: the size found and the
 * size expected ("found an empty list; expected a list of at least 1 item"). Undefined for
 * other keywords.
 */
export function sizeWords(e: ErrorObject, found: unknown): SizeWords | undefined {
  const n = limitOf(e);
  switch (e.keyword) {
    case 'minItems':
      return { found: listFound(found), expected: `a list of at least ${plural(n, 'item')}` };
    case 'maxItems':
      return { found: listFound(found), expected: `a list of at most ${plural(n, 'item')}` };
    case 'minLength':
      return {
        found: stringFound(found),
        expected: n === 1 ? 'a non-empty string' : `a string of at least ${plural(n, 'character')}`,
      };
    case 'maxLength':
      return { found: stringFound(found), expected: `a string of at most ${plural(n, 'character')}` };
    case 'minProperties':
      return {
        found: mappingFound(found),
        expected: `a mapping of at least ${plural(n, 'entry', 'entries')}`,
      };
    case 'maxProperties':
      return {
        found: mappingFound(found),
        expected: `a mapping of at most ${plural(n, 'entry', 'entries')}`,
      };
    default:
      return undefined;
  }
}

interface NumberSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** One end of a range in words: its inclusive bound (`at least 1`), else its exclusive one (`above 0`). */
const bound = (
  incl: number | undefined,
  inclWord: string,
  excl: number | undefined,
  exclWord: string,
): string | undefined =>
  incl !== undefined ? `${inclWord} ${incl}` : excl !== undefined ? `${exclWord} ${excl}` : undefined;

/** `a whole number from 1 to 64`, `a number above 0 and at most 1`, from a number setting's schema. */
export function numberRange(ps: NumberSchema): string {
  const kind = ps.type === 'integer' ? 'a whole number' : 'a finite number';
  if (ps.minimum !== undefined && ps.maximum !== undefined)
    return `${kind} from ${ps.minimum} to ${ps.maximum}`;
  const low = bound(ps.minimum, 'at least', ps.exclusiveMinimum, 'above');
  const high = bound(ps.maximum, 'at most', ps.exclusiveMaximum, 'below');
  if (low && high) return `${kind} ${low} and ${high}`;
  if (low ?? high)
    return `${kind} ${ps.minimum !== undefined || ps.maximum !== undefined ? 'of ' : ''}${low ?? high}`;
  return kind;
}

/** Keywords whose problem is a number out of its bounds (numberRange says the bounds). */
export const NUMBER_BOUNDS: ReadonlySet<string> = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

interface SettingSchema extends NumberSchema {
  errorMessage?: string;
  enum?: unknown[];
  const?: unknown;
  durationRange?: [string, string];
}

/**
 * `schema`, or what its local `$ref` (`#/definitions/x`) names in `root`: a file's validator has
 * every top-level setting behind such a ref (util/validators.ts). Undefined when it cannot be found.
 */
function resolved(schema: unknown, root: unknown): SettingSchema | undefined {
  let s = schema;
  for (let hops = 0; hops < 8; hops++) {
    if (!s || typeof s !== 'object') return undefined;
    const ref = (s as { $ref?: unknown }).$ref;
    if (typeof ref !== 'string') return s;
    const name = /^#\/definitions\/(.+)$/.exec(ref)?.[1];
    if (name === undefined) return undefined;
    const defs = (root as { definitions?: Record<string, unknown> } | undefined)?.definitions;
    s = defs?.[name.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return undefined;
}

/**
 * What a setting's schema wants, in words, as far as it says it without following a `$ref`:
 * its own message, its values, its duration bounds, its type. For "missing required setting
 * "when"; expected one of "above", "below"". Undefined when the schema says nothing of it.
 */
export function expectedOf(schema: unknown, root?: unknown): string | undefined {
  const s = resolved(schema, root);
  if (!s) return undefined;
  if (s.errorMessage) return s.errorMessage;
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.durationRange) return `a duration from ${s.durationRange[0]} to ${s.durationRange[1]}`;
  if (s.type === 'integer' || s.type === 'number') return numberRange(s);
  return s.type !== undefined ? typeWords(s.type) : undefined;
}
