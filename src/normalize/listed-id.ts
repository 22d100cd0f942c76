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

/** The field a refused meeting or webinar number is counted and logged under. */
export const LISTED_ID = 'id';

/** A meeting number as a string: digits only, at most 20 (Zoom's ids are int64, past 2^53). */
const NUMBER_TEXT = /^\d{1,20}$/;

/**
 * How a refused string is said in the log: quoted (a number is said bare: the log tells `"1.5"`
 * from `1.5`), escaped, and its first 40 characters only (then `…`).
 */
const formOf = (v: string): string => JSON.stringify(v.slice(0, 40)) + (v.length > 40 ? '…' : '');

/**
 * Why a meeting number was refused, decided from the whole value (its logged form is cut):
 * `too_long`, a text of digits only, more than an int64's 20; `rounded`, a whole JSON number
 * past 2^53, whose last digits JSON.parse has lost; `not_number`, anything else.
 */
export type NumberRefusal = 'too_long' | 'rounded' | 'not_number';

/** Told a refused meeting number: its form (as logged) and why it was refused. */
export type RefusedNumber = (form: string, why: NumberRefusal) => void;

/**
 * A meeting's or webinar's number (a discovery entry's `id`) as text: a whole number from 0 to
 * 2^53 - 1, or a string of 1 to 20 digits (an int64 past 2^53). A number or string that cannot be
 * one (JSON's `1e400`, read as Infinity; `1.5`; `-3`; `"12abc"`; `" 85000000001 "`) is `refused`,
 * and '' returned: the instance is then named by its uuid, as when the id is absent or of another
 * type. It was taken as meeting "Infinity", and a string as it was.
 */
export function listedNumber(v: unknown, refused: RefusedNumber): string {
  if (typeof v === 'string') {
    if (NUMBER_TEXT.test(v)) return v;
    refused(formOf(v), /^\d+$/.test(v) ? 'too_long' : 'not_number');
    return '';
  }
  if (typeof v !== 'number') return '';
  if (Number.isSafeInteger(v) && v >= 0) return String(v);
  refused(String(v), Number.isInteger(v) && v > 0 ? 'rounded' : 'not_number');
  return '';
}
