/**
 * Characters that a terminal acts on instead of showing (C0 and C1 controls, DEL: an ESC starts a
 * colour, a cursor move or a title) or that reorder what it shows (the bidirectional embeddings,
 * overrides and isolates, U+202E among them, and the marks), and the invisible line and
 * paragraph separators. Line feed and tab are left to `escapeControls`' caller.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- the control characters are what it finds
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with every character a terminal would act on or reorder by written as `\uXXXX`
 * (`\u001b`, `\u202e`), so that user text echoed in a message (an unknown key, a command name)
 * cannot recolour, move or reverse what is printed. Line feeds and tabs are kept unless
 * `lines` is false.
 */
export function escapeControls(text: string, { lines = true }: { lines?: boolean } = {}): string {
  const out = text.replace(UNSAFE, escaped);
  return lines ? out : out.replace(/[\n\t]/g, escaped);
}

/** `text` quoted for a one-line message: in double quotes, every control escaped, `"` and `\` too. */
export const shownText = (text: string): string => escapeControls(JSON.stringify(text));

/**
 * User text (a file's name, a test's name, an argument) put into one line of a message: as
 * `escapeControls` shows it, line feeds and tabs too, so that it cannot start a line of its own
 * (`test-rules "$(printf 'x\n9 passed, 0 failed')"` printed a line reading `9 passed, 0 failed`).
 */
export const oneLine = (text: string): string => escapeControls(text, { lines: false });

/** The longest part of one argument a usage message echoes: one may be 100,000 characters long. */
export const ARGUMENT_EXCERPT_MAX = 80;

/** `text`'s first `max` characters and an ellipsis when longer (cut before it is escaped). */
export const excerpt = (text: string, max = ARGUMENT_EXCERPT_MAX): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;
