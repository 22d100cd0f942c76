import { resolve } from 'node:path';
import { credentialParts } from './credential-parts.js';
import { hideValues } from './hide-values.js';
import { isSecretPath } from './secrets.js';
import { readSmallText } from './regular-file.js';
import { MAX_SECRET_FILE_BYTES } from './secret-file.js';

/**
 * The values of the secret settings in `data` (a configuration as plain data), as text: a
 * value equal to one of them is not shown wherever it is, as when an alias (`*s` of
 * `client_secret: &s ...`) or a copy puts a secret into a setting that is not one. A secret
 * given as a file (`client_secret_file`, `token_file`: the `_file` of a secret setting) is
 * read from `base` (the config file's folder) for its content, trimmed as config/parse-context.ts
 * reads it, and so is a TLS `key_file` (a private key: keyLines): a regular file of at most
 * 64 KiB, a file that cannot be read is skipped (the setting's own check says so).
 */
export function secretValues(data: unknown, base = '.'): ReadonlySet<string> {
  const out = new Set<string>();
  const add = (v: string | undefined): void => {
    if (v?.trim()) out.add(v);
  };
  const walk = (v: unknown, path: (string | number)[]): void => {
    const last = path.at(-1);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (v && typeof v === 'object')
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) walk(item, [...path, k]);
    else if ((typeof v === 'string' || typeof v === 'number') && isSecretPath(path)) {
      add(String(v));
      if (typeof v === 'string' && path.includes('headers')) credentialParts(v).forEach(add);
    } else if (typeof v === 'string' && path.includes('headers') && AUTH_SCHEME.test(v)) {
      // A credential under a name the list does not know (`X-Gateway: Bearer ...`): a secret all the same.
      add(v);
      credentialParts(v).forEach(add);
    } else if (typeof v === 'string' && last === 'key_file') keyLines(secretFileText(base, v)).forEach(add);
    else if (typeof v === 'string' && typeof last === 'string' && last.endsWith('_file'))
      if (isSecretPath([...path.slice(0, -1), last.slice(0, -'_file'.length)])) add(secretFileText(base, v));
  };
  walk(data, []);
  return out;
}

/** A header value that is a credential by its form, whatever the header's name: `<auth scheme> <credential>`. */
const AUTH_SCHEME = /^\s*(?:bearer|basic|token|digest|negotiate|apikey|api-key|jwt|hmac)\s+\S{6,}\s*$/i;

/**
 * A TLS private key's text (a `key_file`'s) as secret values: whole, and each line of its base64
 * body (16 characters or more), so that a line of it quoted alone is hidden too.
 */
function keyLines(text: string | undefined): string[] {
  if (!text) return [];
  return [text, ...text.split(/\r?\n/).filter((l) => l.length >= 16 && /^[A-Za-z0-9+/=]+$/.test(l))];
}

/** The trimmed text of the secret file `file` (relative to `base`), or undefined: not a regular file of at most 64 KiB, or unreadable. */
const secretFileText = (base: string, file: string): string | undefined =>
  readSmallText(resolve(base, file), MAX_SECRET_FILE_BYTES);

/** What a message shows in place of a secret's value, wherever it is. */
export const SECRET_SHOWN = "(not shown: a secret's value)";

/** Shorter secrets are hidden only where a message quotes them whole (`"abc"`, `'abc'`), not inside words. */
const MIN_BARE = 6;

/** A secret quoted whole: as JSON (`"p\\"w1"`) or as it is (`"p"w1"`, `'p"w1'`: a message that wraps it in quotes). */
const quotedForms = (s: string): string[] => [JSON.stringify(s), `"${s}"`, `'${s}'`];

/**
 * `message` with every secret value in it replaced by SECRET_SHOWN: quoted whole (quotedForms),
 * and bare when it is long enough not to be a word of the message. Longer forms first
 * (util/hide-values.ts), so that one inside another does not leave the rest of the longer one shown.
 */
export const hideSecretValues = (message: string, secrets: ReadonlySet<string>): string =>
  hideValues(message, secrets, SECRET_SHOWN, MIN_BARE, quotedForms);
