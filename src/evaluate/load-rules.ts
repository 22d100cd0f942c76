import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { FileInvalidError, type FileProblem } from '../util/file-errors.js';
import { readYaml, YamlSource, type YamlRead } from '../util/yaml-file.js';
import { validator as schemaValidator } from '../util/validators.js';
import { fromRoot } from '../util/package-root.js';
import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import { compileRule } from './compile.js';
import { METRICS } from './metrics.js';
import type { CompiledRule, RawRule } from './rule-types.js';
import { shippedRules } from './shipped-rules.js';

export const RULES_SCHEMA_FILE = fromRoot('src', 'evaluate', 'rules.schema.json');

interface RulesSchema {
  properties: {
    rules: {
      items: {
        properties: {
          metric: { enum: string[] };
          group_by: { enum: string[] };
          filters: { properties: Record<string, unknown> };
        };
      };
    };
  };
}

/**
 * The rule file schema with its lists (metric names, `group_by` and filter fields) taken from
 * the field catalog. The JSON file holds the same lists for editors; a test keeps them equal.
 */
export function rulesSchema(): RulesSchema {
  const schema = JSON.parse(readFileSync(RULES_SCHEMA_FILE, 'utf8')) as RulesSchema;
  const rule = schema.properties.rules.items.properties;
  rule.metric.enum = METRICS.map((m) => m.name);
  rule.group_by.enum = CONTEXT_FIELDS.map((f) => f.rule);
  rule.filters.properties = Object.fromEntries(
    [...CONTEXT_FIELDS.map((f) => f.rule), 'topic', 'instance', 'participant'].map((k) => [
      k,
      { $ref: '#/definitions/patterns' },
    ]),
  );
  return schema;
}

let validator: ValidateFunction<{ rules: RawRule[] }> | undefined;
function validate(): ValidateFunction<{ rules: RawRule[] }> {
  validator ??= schemaValidator<{ rules: RawRule[] }>('files', rulesSchema());
  return validator;
}

/** Where `file` is on disk, links followed; as written when that cannot be found. */
function realFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * A problem for each entry of a list of rule paths (`rules.paths`, a test's `rule_files`) that
 * reads a rule file an earlier entry reads too, itself or in its folder, or that its folder
 * holds twice: as written, or through a symbolic link (`link.yaml` to `a.yaml`). Said as each of
 * its rules "already defined" in its own file, at the rule, it was nowhere near the entry to
 * remove; one problem an entry, however many of its files are read twice.
 * `paths`: the entries resolved (each there), `written`: as written, `setting`: the list's name.
 */
export function ruleFilesReadTwice(
  paths: readonly string[],
  written: readonly string[],
  setting: string,
): { index: number; message: string }[] {
  const seen = new Map<string, { index: number; file: string }>();
  const out: { index: number; message: string }[] = [];
  paths.forEach((path, index) => {
    let files: string[];
    try {
      files = ruleFiles([path]);
    } catch {
      return; // a folder that cannot be listed: said when the rules are loaded
    }
    let said = false;
    for (const file of files) {
      const real = realFile(file);
      const first = seen.get(real);
      if (!first) seen.set(real, { index, file });
      else if (!said) {
        said = true;
        const holds = file === path ? '' : ` holds ${file}`;
        const same =
          file === first.file
            ? ''
            : ` (the same file as ${first.file}${first.file === real ? '' : `: ${real}`})`;
        out.push({
          index,
          message: `${written[index]}${holds}${same}${holds ? ', which' : ''} is read by ${setting}[${first.index}] (${written[first.index]}) too; expected each rule file once (its rules would be defined twice)`,
        });
      }
    }
  });
  return out;
}

/** The rule files under the given paths: files as they are, folders' *.yaml / *.yml (not recursing into tests/). */
export function ruleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new FileInvalidError([
        {
          file: p,
          line: 1,
          col: 1,
          path: '',
          message: 'rule path not found; expected a rule file or a folder of them',
        },
      ]);
    }
    if (st.isDirectory()) {
      // Hidden files are skipped: editors' lock links (Emacs's `.#a.yaml`) and swap files.
      for (const f of readdirSync(p).sort())
        if (!f.startsWith('.') && /\.ya?ml$/.test(f)) out.push(join(p, f));
    } else out.push(p);
  }
  return out;
}

/**
 * The rules of a file that the schema found nothing wrong with, each at its index (undefined
 * where a rule has a problem): they are compiled, so that their own problems (a threshold
 * without the metric's unit, say) come in the same run as the schema's. None when a problem is
 * outside any one rule (the file is not a mapping, `rules` is not a list).
 */
function validRules(read: YamlRead): (RawRule | undefined)[] {
  const rules = (read.value as { rules?: unknown }).rules;
  if (!read.invalid.length) return rules as RawRule[];
  const bad = read.invalid.map((p) => /^\/rules\/(\d+)(\/|$)/.exec(p)?.[1]);
  if (!Array.isArray(rules) || bad.includes(undefined)) return [];
  return (rules as RawRule[]).map((r, i) => (bad.includes(String(i)) ? undefined : r));
}

/** An empty rule file (or one of comments only): what it should hold. */
const emptyFileProblem = (file: string): FileProblem => ({
  file,
  line: 1,
  col: 1,
  path: '',
  message:
    'the rule file is empty (or holds only comments); expected rules: a list of rules, such as rules: [{ name: weak-wifi, metric: wifi_rssi, when: below, threshold: -70dBm }]',
});

/**
 * A file read before under another name (a link made in a rule folder while the daemon runs:
 * the config's entry check of `ruleFilesReadTwice` runs at start-up and on SIGHUP, but a file
 * change reloads the rules alone): one problem at the file, not each of its rules "already
 * defined". Notes the file's real path otherwise.
 */
function readBefore(reals: Map<string, string>, file: string): FileProblem | undefined {
  const real = realFile(file);
  const first = reals.get(real);
  if (first === undefined) {
    reals.set(real, file);
    return undefined;
  }
  return {
    file,
    line: 1,
    col: 1,
    path: '',
    message: `the same file as ${first}${first === real ? '' : ` (${real})`}, read by the rule paths already; expected each rule file once (its rules would be defined twice)`,
  };
}

/**
 * Loads, checks and compiles every rule in the given files and folders. All problems in all
 * files are reported together; a name used twice is a problem too. A shipped file the build
 * parsed is not parsed again (shipped-rules.ts).
 */
export function loadRules(paths: readonly string[]): CompiledRule[] {
  const problems: FileProblem[] = [];
  const rules: CompiledRule[] = [];
  const names = new Map<string, string>();
  const reals = new Map<string, string>();
  for (const file of ruleFiles(paths)) {
    const again = readBefore(reals, file);
    if (again) {
      problems.push(again);
      continue;
    }
    const src = YamlSource.read(file);
    const shipped = shippedRules(src.text);
    let raw: (RawRule | undefined)[];
    const fileProblems: FileProblem[] = [];
    if (shipped) raw = shipped;
    else
      try {
        const read = readYaml(src, validate());
        if (read.problems.length && src.toData() == null) {
          problems.push(emptyFileProblem(file));
          continue;
        }
        fileProblems.push(...read.problems);
        raw = validRules(read);
      } catch (err) {
        if (err instanceof FileInvalidError) {
          problems.push(...err.problems);
          continue;
        }
        throw err;
      }
    raw.forEach((r, i) => {
      if (!r) return;
      const prev = names.get(r.name);
      if (prev)
        problems.push(
          src.problemAt(
            ['rules', i, 'name'],
            `rule "${r.name}" is already defined in ${prev}; expected a name no other rule has`,
          ),
        );
      names.set(r.name, file);
      const compiled = compileRule(r, i, src, fileProblems);
      if (compiled) rules.push(compiled);
    });
    problems.push(...fileProblems.sort((a, b) => a.line - b.line || a.col - b.col));
  }
  if (problems.length) throw new FileInvalidError(problems);
  return rules;
}
