/**
 * The first character of `value` that an HTTP header cannot carry as one credential (a bearer
 * token): anything but visible ASCII (0x21-0x7e), so a line break, NUL, a space or `€`; undefined
 * when there is none. Such a value makes fetch throw before the request is sent.
 */
export function uncarriedInHeader(value: string): string | undefined {
  return /[^\x21-\x7e]/.exec(value)?.[0];
}
