import { resolve } from 'node:path';
import type { FileProblem } from '../util/file-errors.js';
import type { YamlSource } from '../util/yaml-source.js';
import type { RawConfig } from './raw.js';
import { readSecretText, secretFileFailure } from '../util/secret-file.js';

/** What each section's parser reads, and where it reports problems (all are reported at once). */
export interface ParseContext {
  raw: RawConfig;
  src: YamlSource;
  /** The config file's folder: relative paths in it start here. */
  base: string;
  problems: FileProblem[];
  /** The command uses no secret (routes): `*_file` secrets are not read. */
  withoutSecrets?: boolean;
}

export type SettingPath = (string | number)[];

/** Reports a problem at the setting `path`. */
export function problemAt(ctx: ParseContext, path: SettingPath, message: string, preferKey = false): void {
  ctx.problems.push(ctx.src.problemAt(path, message, preferKey));
}

/**
 * A secret read from the file named by the `*_file` setting at `path` (relative to the config
 * file), trimmed; undefined when the file cannot be read or is over 64 KiB (util/secret-file.ts).
 * `what` names it in messages; `nonEmpty` refuses an empty file.
 */
export function readSecretFile(
  ctx: ParseContext,
  path: SettingPath,
  file: string,
  what: string,
  nonEmpty: boolean,
): string | undefined {
  if (ctx.withoutSecrets) return '';
  try {
    const v = readSecretText(resolve(ctx.base, file)).trim();
    if (!v && nonEmpty) problemAt(ctx, path, `the file ${file} is empty; expected ${what} in it`);
    return v;
  } catch (err) {
    problemAt(ctx, path, secretFileFailure(err, file, `a readable file holding ${what}`));
    return undefined;
  }
}
