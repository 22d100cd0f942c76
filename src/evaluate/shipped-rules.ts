import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawRule } from './rule-types.js';

/**
 * The shipped rule files (rules/*.yaml) as the build parsed them, so that start-up does not parse
 * their YAML again: parsing the 12 KB default rules took 45-65 ms of a 500 ms start (the YAML
 * parser runs cold then). `npm run build` writes the rules of each shipped file that loads
 * without a problem to `parsed-rules/<key>.json` beside this module's built file
 * (cli/build-parsed-rules.ts), keyed by a hash of the file's text: a file changed since the
 * build, or any other rule file, has no entry and is parsed as always. An entry is used only
 * for the very text the build found valid, so it reports no problem; a problem found later
 * (a name defined in two files) still says file:line:col, the YAML then parsed for it.
 */

/** The key of a rule file's text. */
export const textKey = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** Where the build writes the parsed rules of a file whose text has this key. */
// `../evaluate/`: the same folder seen from dist/src/evaluate/ (tsc's output) and from
// dist/src/chunks/ (the bundle's, rolldown.config.ts); under src/evaluate/ it does not exist.
export const parsedRulesFile = (
  key: string,
  dir = new URL('../evaluate/parsed-rules/', import.meta.url),
): string => fileURLToPath(new URL(`${key}.json`, dir));

/** The rules of a file with this text as the build parsed them, or undefined (parse it). */
export function shippedRules(text: string): RawRule[] | undefined {
  const file = parsedRulesFile(textKey(text));
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { rules: RawRule[] }).rules;
  } catch {
    return undefined;
  }
}
