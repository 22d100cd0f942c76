import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import { isUrlSetting } from '../config/url-settings.js';
import { FileInvalidError } from '../util/file-errors.js';
import { readSmallText } from '../util/regular-file.js';
import { rereadLogSecrets } from '../util/log-secrets.js';
import { urlCaseFolded } from '../util/http-url.js';
import { expandEnv, type Env } from '../util/yaml-env.js';
import { MAX_CONFIG_FILE_BYTES, YamlSource } from '../util/yaml-file.js';
import { formatPath } from '../util/yaml-source.js';

/** Most changed settings named in one log line; the rest are counted. */
const MAX_NAMED = 20;

/** Largest `*_file` whose content a snapshot fingerprints (a secret is a line, a certificate chain a few KiB). */
const MAX_NAMED_FILE_BYTES = 1024 * 1024;

/**
 * The configuration file's settings as written (before `${VAR}` expansion), or undefined when
 * unreadable. A `*_file` setting (`client_secret_file`, `token_file`, `key_file`...) stands as
 * the path the daemon reads, `${VAR}` expanded with `env` (`${SECRETS}/cs` and the same path
 * written out are one file), with a digest of that file's content (relative to the config
 * file's folder, trimmed as it is read): the daemon read it at start, so new content needs a
 * restart like a new setting does. Only the setting's name is ever logged, never the path, the
 * content or its digest.
 */
export function configSnapshot(file: string, env: Env = process.env): unknown {
  try {
    return withFileDigests(YamlSource.read(file, MAX_CONFIG_FILE_BYTES).toData(), dirname(file), env);
  } catch {
    return undefined;
  }
}

/** `data` with each `*_file` string setting's value as its expanded path and its file's digest. */
function withFileDigests(data: unknown, base: string, env: Env, key = ''): unknown {
  if (Array.isArray(data)) return data.map((v) => withFileDigests(v, base, env));
  if (data !== null && typeof data === 'object')
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, withFileDigests(v, base, env, k)]));
  if (typeof data !== 'string' || !key.endsWith('_file')) return data;
  const path = resolve(base, expandEnv(data, env).value);
  return `${path}\u0000${fileDigest(path)}`;
}

/** A sha256 of the trimmed content of `path`, or `unreadable` (missing, not a regular file, over 1 MiB). */
function fileDigest(path: string): string {
  const text = readSmallText(path, MAX_NAMED_FILE_BYTES);
  return text === undefined ? 'unreadable' : createHash('sha256').update(text).digest('hex');
}

/**
 * Whether two values of one setting are the same: as written, or for a URL setting as URLs
 * compare (HTTPS://API.zoom.us is https://api.zoom.us: the daemon takes both alike, and an edit
 * of the case alone was reported as a change that needs a restart).
 */
function same(a: unknown, b: unknown, path: readonly (string | number)[]): boolean {
  if (typeof a === 'string' && typeof b === 'string' && isUrlSetting(path))
    return urlCaseFolded(a) === urlCaseFolded(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The settings (as `a.b[2].c`) whose values differ between two parsed YAML files. */
function changedPaths(a: unknown, b: unknown, path: (string | number)[] = [], out: string[] = []): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) changedPaths(a[k], b[k], [...path, Array.isArray(a) ? Number(k) : k], out);
  } else if (!same(a, b, path)) out.push(formatPath(path) || '(the whole file)');
  return out;
}

/**
 * On SIGHUP: reads the configuration file again and says what became of it. The daemon does not
 * apply configuration changes live (its listeners, clients, notifiers and state are built from
 * it at start): a broken file is reported at its `file:line:col` (the running configuration is
 * kept, and a restart would fail), changed settings are named as needing a restart. Never the
 * values: they may be secrets. `running` is the file as the daemon started with it
 * (configSnapshot): a change stays reported at each SIGHUP until a restart applies it.
 */
export function rereadConfig(file: string, running: unknown, log: Logger, env: Env = process.env): void {
  try {
    // Its secrets are hidden in the log from now on, beside the running ones (still in use), in
    // place of the previous reading's (util/log-secrets.ts). The daemon's log keeps
    // processSecrets, so an error main.ts prints hides them too.
    rereadLogSecrets(log, loadConfig(file, env).source.secretValues());
  } catch (err) {
    const problems = err instanceof FileInvalidError ? err.message.split('\n') : [(err as Error).message];
    log.error(
      { problems },
      `${file} not applied: the running configuration is kept, and a restart would fail with:\n${problems.join('\n')}`,
    );
    return;
  }
  const changed = changedPaths(running, configSnapshot(file, env));
  if (!changed.length) {
    log.info(`${file} unchanged`);
    return;
  }
  const more = changed.length > MAX_NAMED ? ` and ${changed.length - MAX_NAMED} more` : '';
  log.warn(
    { changed },
    `${file} changed, not applied: restart qoswatch to apply ${changed.slice(0, MAX_NAMED).join(', ')}${more} (SIGHUP reloads the rule files only)`,
  );
}
