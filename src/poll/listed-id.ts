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
