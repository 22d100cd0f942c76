/** How much JSON text may hold before it is parsed. */
export interface JsonBounds {
  depth: number;
  /** Strings (keys too), numbers, true/false/null, arrays and objects. */
  values: number;
  /** Arrays and objects. */
  containers: number;
  /** Elements of one array. */
  elements: number;
  /** Keys of one object. */
  members: number;
  /** Different key names in the whole text. */
  names: number;
  /** Characters of one key name (as written, escapes included). */
  nameLength: number;
}

/** The first bound JSON text goes past, and its limit. */
export interface JsonPast {
  bound: keyof JsonBounds;
  limit: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSERS = new Set([0x5d, 0x7d]); // ] }
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** Characters a number or a literal (true, false, null) is made of. */
const isLiteral = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x2d ||
  c === 0x2b ||
  c === 0x2e ||
  c === 0x45;

/** One pass's counts: per level, whether it is an object and how many items it holds so far. */
class Scan {
  depth = 0;
  values = 0;
  containers = 0;
  readonly names = new Set<string>();
  readonly isObject: Uint8Array;
  readonly items: Uint32Array;

  constructor(readonly bounds: JsonBounds) {
    this.isObject = new Uint8Array(bounds.depth + 2);
    this.items = new Uint32Array(bounds.depth + 2);
  }

  past(bound: keyof JsonBounds): JsonPast {
    return { bound, limit: this.bounds[bound] };
  }

  /** A value starts (a key is not one here): counted, and as an element of the array around it. */
  value(): JsonPast | undefined {
    if (++this.values > this.bounds.values) return this.past('values');
    if (this.isObject[this.depth] === 0 && ++this.items[this.depth]! > this.bounds.elements)
      return this.past('elements');
    return undefined;
  }

  open(object: boolean): JsonPast | undefined {
    const past = this.value();
    if (past) return past;
    if (++this.depth > this.bounds.depth) return this.past('depth');
    if (++this.containers > this.bounds.containers) return this.past('containers');
    this.isObject[this.depth] = object ? 1 : 0;
    this.items[this.depth] = 0;
    return undefined;
  }

  /** A key, `text` from `start` to `end` (its quotes left out). */
  key(text: string, start: number, end: number): JsonPast | undefined {
    if (++this.values > this.bounds.values) return this.past('values');
    if (++this.items[this.depth]! > this.bounds.members) return this.past('members');
    if (end - start > this.bounds.nameLength) return this.past('nameLength');
    const name = text.slice(start, end);
    if (this.names.has(name)) return undefined;
    this.names.add(name);
    return this.names.size > this.bounds.names ? this.past('names') : undefined;
  }
}

/** The index of the quote that ends the string whose opening quote is at `i`, or text.length. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return i;
}

/** Whether the next character after `i` that is not white space is a colon (the string before was a key). */
function colonNext(text: string, i: number): boolean {
  for (i++; i < text.length && SPACE.has(text.charCodeAt(i)); i++);
  return text.charCodeAt(i) === COLON;
}

/**
 * The first bound of `bounds` that JSON text goes past, found by one pass over the text before
 * it is parsed (brackets inside strings do not count); undefined when it stays within them (or
 * is no JSON: JSON.parse says so). It keeps a count per level and the key names seen, up to the
 * bounds. JSON.parse's cost is per value, not per byte: 4 MB of `[[[[` took 250 MB to parse,
 * 31 MiB of `{},{},` 1 GB, one array of 4 million numbers 230 MB (growing it), 30 MB of objects
 * whose keys are all different 1.65 GB (a hidden class and a name each), where this pass
 * answers in milliseconds.
 */
export function jsonPast(text: string, bounds: JsonBounds): JsonPast | undefined {
  const scan = new Scan(bounds);
  let inLiteral = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let past: JsonPast | undefined;
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      past = scan.isObject[scan.depth] && colonNext(text, end) ? scan.key(text, i + 1, end) : scan.value();
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) past = scan.open(c === OPEN_OBJECT);
    else if (isLiteral(c)) past = inLiteral ? undefined : scan.value();
    else if (CLOSERS.has(c) && scan.depth > 0) scan.depth--;
    if (past) return past;
    inLiteral = isLiteral(c);
  }
  return undefined;
}
