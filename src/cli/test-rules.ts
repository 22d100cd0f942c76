import { FileInvalidError } from '../util/file-errors.js';
import { formatFailures, runRuleTestFile, type TestFileResult } from '../evaluate/rule-tests.js';
import { parse, UsageError } from './args.js';

export const testRulesHelp = `qoswatch test-rules FILE...

Runs rule unit tests written in YAML (see docs/rules.md): input series per participant and
stream, events (leave, end), and the alerts expected at given times. Prints each mismatch as
the alerts expected but not found and found but not expected; exit 1 on any failure. A file
that cannot be run (its problems at file:line:col) is named in the summary line at the end.
`;

export function testRules(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {});
  if (!positionals.length) throw new UsageError('name at least one test file');
  const results: TestFileResult[] = [];
  const broken: string[] = [];
  for (const file of positionals) {
    try {
      results.push(runRuleTestFile(file));
    } catch (err) {
      if (!(err instanceof FileInvalidError)) throw err;
      process.stderr.write(`${err.message}\n`);
      broken.push(file);
    }
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failures.length, 0);
  const errors = results.reduce((n, r) => n + r.errors.length, 0);
  const report = formatFailures(results);
  if (report) process.stdout.write(report + '\n');
  // A file refused names itself here too: its problems scroll by above, and `0 passed, 0 failed`
  // alone read as a file with nothing in it.
  const invalid = broken.length ? `; invalid, not run: ${broken.join(', ')}` : '';
  process.stdout.write(`${passed} passed, ${failed} failed${invalid}\n`);
  return Promise.resolve(failed || errors || broken.length ? 1 : 0);
}
