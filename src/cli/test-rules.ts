import { statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileInvalidError } from '../util/file-errors.js';
import { formatFailures, runRuleTestFile, type TestFileResult } from '../evaluate/rule-tests.js';
import { escapeControls, oneLine } from '../util/shown-text.js';
import { plural } from '../util/words.js';
import { parse, UsageError } from './args.js';

export const testRulesHelp = `qoswatch test-rules FILE...

Runs rule unit tests written in YAML (see docs/rules.md): input series per participant and
stream, events (leave, end), and the alerts expected at given times. Prints each mismatch as
the alerts expected but not found and found but not expected; exit 1 on any failure. A file
that cannot be run (its problems at file:line:col) is named in the summary line at the end. A
FILE that does not exist (a shell pattern that matches no file is passed on as written) or is
a folder is said at once; the others run, and the exit is 2 (the summary says "no test file
found" when none ran). A file named twice (f f, or f ./f) runs once; a link to it is another
name, its rule_files found from the link's folder: it runs as a test of its own.
`;

/**
 * A line on standard error. What it echoes of the command line or a test file (a file's name, a
 * label) shows its controls and direction characters escaped: they would act on the terminal.
 */
const say = (line: string): boolean => process.stderr.write(`${escapeControls(line)}\n`);

interface NotAFile {
  why: string;
  folder: boolean;
}

/** Why `file` cannot be a test file (it is not there, or a folder); undefined when it may be. */
function notAFile(file: string): NotAFile | undefined {
  let stat: Stats | undefined;
  try {
    stat = statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    // `a.test.yaml/`: a file named as a folder. Others (EACCES, ...) are said when it is read.
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') return undefined;
  }
  if (stat?.isDirectory())
    return {
      why: `${oneLine(file)}: is a folder; expected a rule test file (.yaml), such as ${oneLine(join(file, '*.test.yaml'))}`,
      folder: true,
    };
  if (stat) return undefined;
  const pattern = /[*?[\]{}]/.test(file)
    ? ' (a shell pattern that matches no file is passed on as written)'
    : '';
  return {
    why: `${oneLine(file)}: no such file${pattern}; expected a rule test file (.yaml)`,
    folder: false,
  };
}

/**
 * The files named, each once, in the order first named: `f f` (or `f ./f`) ran f's tests twice,
 * counted twice in the summary. A file named again is said once. Names are the same file when
 * they are the same path from the current folder, links not followed: a test file's rule_files
 * are relative to the name it is run by, so a link elsewhere to it is another test (its
 * rule_files found from the link's folder), run as such; taken for the same, it ran once by the
 * first name, and `link.test.yaml real.test.yaml` failed on rule_files the real one finds.
 */
function eachOnce(files: readonly string[]): string[] {
  const named = new Map<string, string[]>();
  for (const file of files) {
    const path = resolve(file);
    named.set(path, [...(named.get(path) ?? []), file]);
  }
  for (const names of named.values()) {
    if (names.length < 2) continue;
    const as = new Set(names).size > 1 ? ` (as ${[...new Set(names)].map(oneLine).join(', ')})` : '';
    say(`${oneLine(names[0]!)}: named ${plural(names.length, 'time')}${as}; run once`);
  }
  return [...named.values()].map((names) => names[0]!);
}

export function testRules(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, { max: Infinity, what: 'test files' });
  if (!positionals.length) throw new UsageError('name at least one test file');
  const files = eachOnce(positionals);
  const results: TestFileResult[] = [];
  const broken: string[] = [];
  const missing: string[] = [];
  const folders: string[] = [];
  for (const file of files) {
    const not = notAFile(file);
    if (not) {
      say(not.why);
      (not.folder ? folders : missing).push(file);
      continue;
    }
    try {
      results.push(runRuleTestFile(file));
    } catch (err) {
      if (!(err instanceof FileInvalidError)) throw err;
      say(err.message);
      broken.push(file);
    }
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failures.length, 0);
  const errors = results.reduce((n, r) => n + r.errors.length, 0);
  const report = formatFailures(results);
  if (report) process.stdout.write(`${escapeControls(report)}\n`);
  process.stdout.write(
    `${escapeControls(summary(passed, failed, results.length, broken, missing, folders))}\n`,
  );
  if (missing.length || folders.length) return Promise.resolve(2);
  return Promise.resolve(failed || errors || broken.length ? 1 : 0);
}

/**
 * The last line. A file refused or not found names itself here too: its problems scroll by
 * above, and `0 passed, 0 failed` alone read as a file with nothing in it (or, when no file
 * ran at all, as tests that passed).
 */
function summary(
  passed: number,
  failed: number,
  ran: number,
  broken: string[],
  missing: string[],
  folders: string[],
): string {
  const list = (files: string[]): string => files.map(oneLine).join(', ');
  const invalid = broken.length ? `; invalid, not run: ${list(broken)}` : '';
  const notFound = missing.length ? `; not found: ${list(missing)}` : '';
  const folder = folders.length ? `; a folder, not run: ${list(folders)}` : '';
  const head =
    ran || broken.length ? `${passed} passed, ${failed} failed` : 'no test file found, no test run';
  return `${head}${invalid}${notFound}${folder}`;
}
