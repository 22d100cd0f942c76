import { isSecretPath } from './secrets.js';

/**
 * The values of the secret settings in `data` (a configuration as plain data), as text: a
 * value equal to one of them is not shown wherever it is, as when an alias (`*s` of
 * `client_secret: &s ...`) or a copy puts a secret into a setting that is not one.
 */
export function secretValues(data: unknown): ReadonlySet<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (v && typeof v === 'object')
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) walk(item, [...path, k]);
    else if ((typeof v === 'string' || typeof v === 'number') && String(v).trim() && isSecretPath(path))
      out.add(String(v));
  };
  walk(data, []);
  return out;
}

/** What a message shows in place of a secret's value, wherever it is. */
export const SECRET_SHOWN = "(not shown: a secret's value)";

/** Shorter secrets are hidden only where a message quotes them whole (`"abc"`, `'abc'`), not inside words. */
const MIN_BARE = 6;

/**
 * `message` with every secret value in it replaced by SECRET_SHOWN: quoted whole (`"abc"`, as JSON
 * or as it is, or `'abc'`), and bare when it is long enough not to be a word of the message.
 * Longer secrets first, so that one inside another does not leave the rest of the longer one shown.
 */
export function hideSecretValues(message: string, secrets: ReadonlySet<string>): string {
  let out = message;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    // Quoted as JSON ("p\"w1") or as it is ("p"w1", 'p"w1': a message that wraps it in quotes).
    for (const quoted of [JSON.stringify(s), `"${s}"`, `'${s}'`]) out = out.split(quoted).join(SECRET_SHOWN);
    if (s.length >= MIN_BARE) out = out.split(s).join(SECRET_SHOWN);
  }
  return out;
}
