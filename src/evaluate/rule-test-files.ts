import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FileProblem } from '../util/file-errors.js';
import type { YamlSource } from '../util/yaml-file.js';
import { ruleFiles } from './load-rules.js';
import type { RawTestFile } from './rule-tests-schema.js';

/**
 * A `rule_files` entry that names nothing, or a rule file an earlier entry names too (itself or in
 * its folder), at the entry. The first was said at the missing file's own 1:1 (`nope.yaml:1:1: rule path not
 * found`), a place that does not exist; the second as `rule "x" is already defined in` the very
 * file that defines it, at the rule, and not where to fix it.
 */
export function ruleFileProblems(src: YamlSource, file: string, value: RawTestFile): FileProblem[] {
  const seen = new Map<string, number>();
  return value.rule_files.flatMap((f, i) => {
    const path = resolve(dirname(file), f);
    try {
      statSync(path);
    } catch {
      return [
        src.problemAt(
          ['rule_files', i],
          `no such file: ${path}; expected a rule file or a folder of them, relative to the test file`,
        ),
      ];
    }
    const files = ruleFiles([path]);
    const twice = files.find((r) => seen.has(r));
    for (const r of files) if (!seen.has(r)) seen.set(r, i);
    if (twice === undefined) return [];
    const also = twice === path ? '' : ` holds ${twice}, which`;
    const j = seen.get(twice)!;
    return [
      src.problemAt(
        ['rule_files', i],
        `${f}${also} is read by rule_files[${j}] (${value.rule_files[j]}) too; expected each rule file once (its rules would be defined twice)`,
      ),
    ];
  });
}
