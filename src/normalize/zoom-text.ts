/** A string or number from Zoom as text; anything else is empty. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** The most UTF-16 units kept of a free text from Zoom (Zoom's own limits: topics 200, names 64). */
export const TEXT_MAX = 300;

/**
 * A free text from Zoom (a topic, a name, an e-mail): `str`, cut to TEXT_MAX with an ellipsis as
 * its last character (never inside a surrogate pair). One hostile 200 MB topic must not be kept,
 * logged twice a line, put in labels and sent to every notifier whole.
 */
export function text(v: unknown): string {
  const s = str(v);
  if (s.length <= TEXT_MAX) return s;
  const high = s.charCodeAt(TEXT_MAX - 2);
  return `${s.slice(0, high >= 0xd800 && high <= 0xdbff ? TEXT_MAX - 2 : TEXT_MAX - 1)}\u2026`;
}
