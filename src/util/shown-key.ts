import { REDACTED } from './redact-pairs.js';
import { redactUrlCredentials } from './redact-url.js';
import { escapeControls } from './shown-text.js';

/**
 * A mapping key as a message shows it (in the setting's path, in "unknown setting"): a pair or a
 * URL's credentials that look secret hidden as a log line hides them (`password=hunter2` is
 * `password=[redacted]`), and its controls and direction characters escaped, line feeds too (a
 * key is one line of a message). Hidden here, before the message is made: hidden after it, from
 * the whole printed line, `poll.password=hunter2: unknown setting ...` lost all but
 * `poll.password=[redacted]`, the value running on to the line's end.
 */
export const shownKey = (key: string): string => escapeControls(redactUrlCredentials(key), { lines: false });

/** The longest part of an unknown key a message quotes: a file not ours must not be printed whole. */
export const KEY_EXCERPT_MAX = 40;

/**
 * `key` as shownKey shows it, its first KEY_EXCERPT_MAX characters and an ellipsis when longer;
 * never cut inside a `[redacted]` (a cut one would be taken for a value, hidden again to the end).
 */
export function keyExcerpt(key: string): string {
  const shown = shownKey(key);
  if (shown.length <= KEY_EXCERPT_MAX) return shown;
  const hidden = shown.lastIndexOf(REDACTED, KEY_EXCERPT_MAX - 1);
  const cut = hidden >= 0 ? Math.max(KEY_EXCERPT_MAX, hidden + REDACTED.length) : KEY_EXCERPT_MAX;
  return cut < shown.length ? `${shown.slice(0, cut)}…` : shown;
}
