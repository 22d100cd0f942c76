/** The longest instance id a discovery entry may give (Zoom's UUIDs are 24 characters, session ids about as long). */
const ID_MAX = 128;

/** Blanks and control characters: never in a Zoom UUID or session id. */
const NOT_IN_ID = /[\s\p{Cc}]/u;

/**
 * A discovery entry's instance id (a meeting's or webinar's `uuid`, a session's `id`), or '' when
 * it is not one: only a non-empty string without blanks or control characters, at most ID_MAX
 * long. A number is not a UUID (polling `/metrics/meetings/12345/...` asks for a meeting by its
 * number, another instance), nor is an object, an empty string or a text of megabytes.
 */
export function listedId(v: unknown): string {
  return typeof v === 'string' && v.length > 0 && v.length <= ID_MAX && !NOT_IN_ID.test(v) ? v : '';
}

/**
 * A meeting's or webinar's number (a discovery entry's `id`) as text: a whole number from 0 to
 * 2^53 - 1, or a string as Zoom may send it. A number that cannot be one (JSON's `1e400`, read as
 * Infinity; `1.5`; `-3`) is `refused`, and '' returned: the instance is then named by its uuid,
 * as when the id is absent or of another type. It was taken as meeting "Infinity".
 */
export function listedNumber(v: unknown, refused: (form: string) => void): string {
  if (typeof v === 'string') return v;
  if (typeof v !== 'number') return '';
  if (Number.isSafeInteger(v) && v >= 0) return String(v);
  refused(String(v));
  return '';
}
