import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { makeDir } from '../util/make-dir.js';
import { loadRules, ruleFiles } from '../evaluate/load-rules.js';
import { parsedRulesFile, textKey } from '../evaluate/shipped-rules.js';
import { fromRoot } from '../util/package-root.js';
import { YamlSource } from '../util/yaml-file.js';

/**
 * Part of `npm run build`, after the validators: writes dist/src/evaluate/parsed-rules/<key>.json,
 * the rules of each shipped rule file (rules/*.yaml) as parsed from its YAML, keyed by a hash of
 * its text, so that start-up does not parse them (evaluate/shipped-rules.ts). Only a file that
 * loads without a problem (syntax, schema, compile) and whose rules JSON holds as they are gets
 * an entry.
 */
const dir = new URL('../evaluate/parsed-rules/', import.meta.url);
rmSync(dir, { recursive: true, force: true });
makeDir(fileURLToPath(dir));
let written = 0;
for (const file of ruleFiles([fromRoot('rules')])) {
  try {
    loadRules([file]);
  } catch (err) {
    process.stdout.write(`not parsed ahead: ${(err as Error).message}\n`);
    continue;
  }
  const src = YamlSource.read(file);
  const data = src.toData() as { rules: unknown[] };
  const json = JSON.stringify({ rules: data.rules });
  if (!isDeepStrictEqual(JSON.parse(json), { rules: data.rules })) continue;
  writeFileSync(parsedRulesFile(textKey(src.text), dir), `${json}\n`);
  written++;
}
process.stdout.write(`wrote ${written} parsed rule files to ${dir.pathname}\n`);
