/** How much JSON text may hold before it is parsed: levels of nesting, values, and arrays plus objects. */
export interface JsonBounds {
  depth: number;
  /** Strings (keys too), numbers, true/false/null, arrays and objects. */
  values: number;
  /** Arrays and objects. */
  containers: number;
}

/** The first bound JSON text goes past, and how far it went when it was seen (the count is then `limit + 1`). */
export interface JsonPast {
  bound: keyof JsonBounds;
  limit: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }
/** Characters a number or a literal (true, false, null) is made of. */
const isLiteral = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x2d ||
  c === 0x2b ||
  c === 0x2e ||
  c === 0x45;

/**
 * The first bound of `bounds` that JSON text goes past, found by one pass over the text that
 * allocates nothing (brackets inside strings do not count); undefined when it stays within them
 * (or is no JSON: JSON.parse says so). JSON.parse's cost is per value, not per byte: 4 MB of
 * `[[[[` took 250 MB to parse, 31 MiB of `{},{},` 1 GB, where this pass answers in milliseconds.
 */
export function jsonPast(text: string, bounds: JsonBounds): JsonPast | undefined {
  let depth = 0;
  let values = 0;
  let containers = 0;
  let inLiteral = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // A string: skipped to its closing quote, an escaped character at a time.
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++)
        if (text.charCodeAt(i) === BACKSLASH) i++;
      if (++values > bounds.values) return { bound: 'values', limit: bounds.values };
      inLiteral = false;
    } else if (OPENERS.has(c)) {
      if (++depth > bounds.depth) return { bound: 'depth', limit: bounds.depth };
      if (++containers > bounds.containers) return { bound: 'containers', limit: bounds.containers };
      if (++values > bounds.values) return { bound: 'values', limit: bounds.values };
      inLiteral = false;
    } else if (isLiteral(c)) {
      if (!inLiteral && ++values > bounds.values) return { bound: 'values', limit: bounds.values };
      inLiteral = true;
    } else {
      if (CLOSERS.has(c)) depth--;
      inLiteral = false;
    }
  }
  return undefined;
}
