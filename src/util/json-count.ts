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
  /**
   * Bytes of the string values longer than SHARED_STRING bytes, in all (as written, escapes
   * included; keys are not values): JSON.parse shares a shorter string with every other of the
   * same text, and gives each longer one a heap string of its own (the characters, and a header
   * of 12 to 16 bytes).
   */
  stringBytes: number;
}

/**
 * The longest string value JSON.parse shares (V8 makes each one of at most 10 characters once,
 * whatever its number): `"1055 kbps"`, `"12 ms"`, `"normal"` cost a slot each, not a string.
 * Counted in bytes as written, which are never fewer than its characters.
 */
export const SHARED_STRING = 10;

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
  stringBytes = 0;
  readonly names = new Names();
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

  /** A string value of `bytes` bytes (its quotes left out). */
  string(bytes: number): JsonPast | undefined {
    if (bytes > SHARED_STRING && (this.stringBytes += bytes) > this.bounds.stringBytes)
      return this.past('stringBytes');
    return this.value();
  }

  /** A key, `json` from `start` to `end` (its quotes left out). */
  key(json: Buffer, start: number, end: number): JsonPast | undefined {
    if (++this.values > this.bounds.values) return this.past('values');
    if (++this.items[this.depth]! > this.bounds.members) return this.past('members');
    if (end - start > this.bounds.nameLength && characters(json, start, end) > this.bounds.nameLength)
      return this.past('nameLength');
    if (!this.names.add(json, start, end)) return undefined;
    return this.names.size > this.bounds.names ? this.past('names') : undefined;
  }
}

/** Names in a bucket of one hash past which they are looked up by their text (a crafted answer's). */
const BUCKET = 8;

/**
 * The different key names of one answer, found by a hash of their bytes and compared in place: a
 * name is made a string once, when it is new (a QoS page repeats 200 names 4 million times;
 * making each a string to look it up took two thirds of the pass). Names whose hashes collide
 * more than BUCKET times (an answer crafted to) are looked up by their text from then on.
 */
class Names {
  size = 0;
  private readonly byHash = new Map<number, string[]>();
  private readonly all = new Set<string>();
  private byText = false;

  /** Whether the name of bytes `json[start..end)` is new (it is now kept). */
  add(json: Buffer, start: number, end: number): boolean {
    if (this.byText) return this.keep(json.toString('latin1', start, end));
    let h = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i++) h = Math.imul(h ^ json[i]!, 0x01000193);
    const bucket = this.byHash.get(h);
    for (const name of bucket ?? []) if (sameBytes(name, json, start, end)) return false;
    // Latin-1: one string per byte sequence, which is all a count of different names needs.
    const name = json.toString('latin1', start, end);
    if (!bucket) this.byHash.set(h, [name]);
    else if (bucket.push(name) > BUCKET) this.byText = true;
    return this.keep(name);
  }

  private keep(name: string): boolean {
    if (this.all.has(name)) return false;
    this.all.add(name);
    this.size++;
    return true;
  }
}

/** Whether `name` (Latin-1: a character a byte) is the bytes `json[start..end)`. */
function sameBytes(name: string, json: Buffer, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== json[start + i]) return false;
  return true;
}

/** Characters of UTF-8 `json` from `start` to `end`: its bytes but those that continue a character. */
function characters(json: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((json[i]! & 0xc0) !== 0x80) n++;
  return n;
}

/** The index of the quote that ends the string whose opening quote is at `i`, or json.length. */
function stringEnd(json: Buffer, i: number): number {
  for (i++; i < json.length; i++) {
    const c = json[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return i;
}

/** Whether the next byte after `i` that is not white space is a colon (the string before was a key). */
function colonNext(json: Buffer, i: number): boolean {
  for (i++; i < json.length && SPACE.has(json[i]!); i++);
  return json[i] === COLON;
}

/**
 * The first bound of `bounds` that JSON goes past, found by one pass over its UTF-8 bytes before
 * it is made text and parsed (brackets inside strings do not count; no byte of a character
 * beyond ASCII is one of JSON's); undefined when it stays within them (or is no JSON: JSON.parse
 * says so). It keeps a count per level and the key names seen, up to the bounds. JSON.parse's
 * cost is per value, not per byte: 4 MB of `[[[[` took 250 MB to parse, 31 MiB of `{},{},` 1 GB,
 * one array of 4 million numbers 230 MB (growing it), 30 MB of objects whose keys are all
 * different 1.65 GB (a hidden class and a name each), 55.6 MB of 4 million different strings of
 * 11 characters +316 MiB, where this pass answers in milliseconds. Text is read as its UTF-8.
 */
export function jsonPast(json: Uint8Array | string, bounds: JsonBounds): JsonPast | undefined {
  const bytes =
    typeof json === 'string' ? Buffer.from(json) : Buffer.from(json.buffer, json.byteOffset, json.length);
  const scan = new Scan(bounds);
  let inLiteral = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    let past: JsonPast | undefined;
    if (c === QUOTE) {
      const end = stringEnd(bytes, i);
      past =
        scan.isObject[scan.depth] && colonNext(bytes, end)
          ? scan.key(bytes, i + 1, end)
          : scan.string(end - i - 1);
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) past = scan.open(c === OPEN_OBJECT);
    else if (isLiteral(c)) past = inLiteral ? undefined : scan.value();
    else if (CLOSERS.has(c) && scan.depth > 0) scan.depth--;
    if (past) return past;
    inLiteral = isLiteral(c);
  }
  return undefined;
}
