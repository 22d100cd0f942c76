import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FileProblem } from '../util/file-errors.js';
import type { YamlSource } from '../util/yaml-file.js';
import { ruleFilesReadTwice } from './load-rules.js';
import type { RawTestFile } from './rule-tests-schema.js';

/**
 * A `rule_files` entry that names nothing, or a rule file an earlier entry names too (itself or in
 * its folder), at the entry. The first was said at the missing file's own 1:1 (`nope.yaml:1:1: rule path not
 * found`), a place that does not exist; the second as `rule "x" is already defined in` the very
 * file that defines it, at the rule, and not where to fix it.
 */
export function ruleFileProblems(src: YamlSource, file: string, value: RawTestFile): FileProblem[] {
  const paths = value.rule_files.map((f) => resolve(dirname(file), f));
  const missing = paths.flatMap((path, i) => {
    try {
      statSync(path);
      return [];
    } catch {
      return [
        src.problemAt(
          ['rule_files', i],
          `no such file: ${path}; expected a rule file or a folder of them, relative to the test file`,
        ),
      ];
    }
  });
  if (missing.length) return missing;
  return ruleFilesReadTwice(paths, value.rule_files, 'rule_files').map((p) =>
    src.problemAt(['rule_files', p.index], p.message),
  );
}
