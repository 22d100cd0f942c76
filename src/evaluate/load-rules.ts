import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { FileInvalidError, type FileProblem } from '../util/file-errors.js';
import { loadYaml, YamlSource } from '../util/yaml-file.js';
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
 * Loads, checks and compiles every rule in the given files and folders. All problems in all
 * files are reported together; a name used twice is a problem too. A shipped file the build
 * parsed is not parsed again (shipped-rules.ts).
 */
export function loadRules(paths: readonly string[]): CompiledRule[] {
  const problems: FileProblem[] = [];
  const rules: CompiledRule[] = [];
  const names = new Map<string, string>();
  for (const file of ruleFiles(paths)) {
    const src = YamlSource.read(file);
    let raw = shippedRules(src.text);
    if (!raw)
      try {
        raw = loadYaml<{ rules: RawRule[] }>(src, validate()).value.rules;
      } catch (err) {
        if (err instanceof FileInvalidError) {
          problems.push(...err.problems);
          continue;
        }
        throw err;
      }
    raw.forEach((r, i) => {
      const prev = names.get(r.name);
      if (prev)
        problems.push(
          src.problemAt(
            ['rules', i, 'name'],
            `rule "${r.name}" is already defined in ${prev}; names must be unique`,
          ),
        );
      names.set(r.name, file);
      const compiled = compileRule(r, i, src, problems);
      if (compiled) rules.push(compiled);
    });
  }
  if (problems.length) throw new FileInvalidError(problems);
  return rules;
}
