import type { ParticipantContext } from './sample.js';
import { Stamped } from '../util/stamped.js';

/*
 * A participant's context as kept between samples, for as long as the join lives: by the live
 * state (export/live-state.ts) and by the rule engine's group members and alerts
 * (evaluate/join-slots.ts). A poll's samples each bring a new context object with new texts,
 * though a participant's context rarely changes: keeping the sample's would hold one context,
 * and its texts, per holder and per cycle it was read in.
 */

/**
 * Shared copies of context texts (data center, network, client, device...: participants mostly
 * share them). Bounded: emptied when full, which costs only sharing, so that months of
 * participants with texts of their own cannot grow it.
 */
const MAX_SHARED = 20_000;
const sharedTexts = new Map<string, string>();
function sharedText(s: string): string {
  const got = sharedTexts.get(s);
  if (got !== undefined) return got;
  if (sharedTexts.size >= MAX_SHARED) sharedTexts.clear();
  sharedTexts.set(s, s);
  return s;
}

/** The prototype of kept contexts (plain, like `{}`'s): their hidden classes grow from a root of their own. */
const KEPT_CONTEXT = Object.create(Object.prototype) as object;

/**
 * Makes an empty kept context. `new` of a function, not `Object.create(KEPT_CONTEXT)`: V8 gives
 * objects made by `new` room for their fields inside them (sized to what they are given), while
 * `Object.create`'s have room for 4 and the rest of the 10 fields a context has in a second object
 * (120 B a context, not 104).
 */
const KeptContext = function KeptContext() {} as unknown as new () => Record<string, string | undefined>;
KeptContext.prototype = KEPT_CONTEXT;

/**
 * The context a sample's context was kept as, stamped onto it as a private field (util/stamped.ts).
 * The live state and the rule engine read the same samples: the second to keep a sample's
 * context takes the first's, so the two hold one object per join, not one each. A WeakMap did
 * this before: a hash lookup per sample and per holder (13% of the rule engine's quiet minute),
 * and an entry per sample for the collector to clear.
 */
class KeptFor extends Stamped {
  readonly #kept: Readonly<ParticipantContext>;

  private constructor(c: ParticipantContext, kept: Readonly<ParticipantContext>) {
    super(c);
    this.#kept = kept;
  }

  static of(c: ParticipantContext): Readonly<ParticipantContext> | undefined {
    return #kept in c ? c.#kept : undefined;
  }

  /** Remembers `kept` for `c` (not extensible: a WeakMap, as the language may refuse the field). */
  static set(c: ParticipantContext, kept: Readonly<ParticipantContext>): void {
    if (Object.isExtensible(c)) new KeptFor(c, kept);
    else sealed.set(c, kept);
  }
}
const sealed = new WeakMap<ParticipantContext, Readonly<ParticipantContext>>();

/**
 * The context kept for a sample's context `c`: the one another holder kept for it; else `last`
 * (this holder's) when the same (a participant's context rarely changes); else a copy of
 * shared texts.
 *
 * Only a context kept anew (not `last`) is stamped onto `c` for the next holder: a holder whose
 * `last` is the same finds it the same by itself, and the holders took their `last` from one
 * another's stamp, or from the shared contexts, when the join's context last changed. Stamping
 * every sample's context gave each new context object a field (a hidden-class change and a
 * property array: in a CPU profile of the rule engine's quiet minute of 100,000 samples, 91 of
 * ~395 ms, and more of its collections).
 */
export function keptContext(
  c: ParticipantContext,
  last: Readonly<ParticipantContext> | undefined,
): Readonly<ParticipantContext> {
  let kept = KeptFor.of(c) ?? sealed.get(c);
  if (kept) return kept;
  if (last && sameAsLast(c, last)) return last;
  KeptFor.set(c, (kept = keep(c)));
  return kept;
}

/**
 * A kept context's field names and values in its keys' order, stamped onto it when it is made
 * (`keep`): `[keys, v0, v1, ...]`, the names an array shared by every kept context with the same
 * fields in the same order (sharedKeys), the values an array of exactly their number. A sample's
 * context is compared with its join's kept one field by field in that order (`sameAsLast`), each
 * field an element read, not a keyed lookup of the kept context by name (a lookup through V8's
 * megamorphic cache per field: about 7% of the rule engine's quiet minute at most, issue 16).
 * A kept context is never changed. Kept contexts are as many as the joins when each participant's
 * context is its own (the simulator's are): `[k0, v0, k1, v1, ...]` grown by push cost 138 B of
 * heap per live participant in poller-memory.bench; the names shared and the values exact, 58 B.
 */
type Flat = readonly [readonly string[], ...(string | undefined)[]];
class KeptFields extends Stamped {
  readonly #flat: Flat;

  private constructor(kept: object, flat: Flat) {
    super(kept);
    this.#flat = flat;
  }

  static of(kept: object): Flat | undefined {
    return #flat in kept ? kept.#flat : undefined;
  }

  static set(kept: Record<string, string | undefined>): void {
    const keys: string[] = [];
    for (const k in kept) keys.push(k);
    // Sized once (no room to grow): n + 1 elements, not push's spare capacity.
    const flat = new Array<string | undefined | readonly string[]>(keys.length + 1);
    flat[0] = sharedKeys(keys);
    for (let i = 0; i < keys.length; i++) flat[i + 1] = kept[keys[i]!];
    new KeptFields(kept, flat as unknown as Flat);
  }
}

/**
 * Field-name lists shared by the kept contexts with the same fields in the same order (a handful:
 * the normalizer writes a context's fields in the catalog's order). Bounded as the texts are.
 */
const MAX_KEY_LISTS = 256;
const keyLists = new Map<string, readonly string[]>();
function sharedKeys(keys: string[]): readonly string[] {
  const id = keys.join('\n');
  const got = keyLists.get(id);
  if (got !== undefined && got.length === keys.length && got.every((k, i) => k === keys[i])) return got;
  if (got !== undefined) return keys; // names with a line feed that join alike: not shared
  if (keyLists.size >= MAX_KEY_LISTS) keyLists.clear();
  keyLists.set(id, keys);
  return keys;
}

/**
 * Whether `c` has the same fields as `last`, with the same values. The usual context (the same
 * fields in the same order as the kept one) is compared in order (KeptFields); another order
 * or other fields, by name.
 */
function sameAsLast(c: ParticipantContext, last: Readonly<ParticipantContext>): boolean {
  const flat = KeptFields.of(last);
  if (flat === undefined) return sameByName(c, last);
  const keys = flat[0];
  const from = c as Record<string, string | undefined>;
  let n = 0;
  for (const k in from) {
    if (keys[n] !== k) return sameByName(c, last);
    if (from[k] !== flat[n + 1]) return false;
    n++;
  }
  return n === keys.length;
}

/** Whether `c` has the same fields as `last`, with the same values, in any order. */
function sameByName(c: ParticipantContext, last: Readonly<ParticipantContext>): boolean {
  const from = c as Record<string, string | undefined>;
  const was = last as Record<string, string | undefined>;
  let n = 0;
  for (const k in from) {
    n++;
    if (from[k] !== was[k]) return false;
  }
  // Counted, not Object.keys(was).length: no array made per sample.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only counted
  for (const _ in was) n--;
  return n === 0;
}

function keep(c: ParticipantContext): Readonly<ParticipantContext> {
  const from = c as Record<string, string | undefined>;
  const hash = hashOf(from);
  const known = sharedContexts.get(hash);
  if (known !== undefined)
    for (const k of Array.isArray(known) ? known : [known]) if (sameContext(from, k)) return k;
  // Built field by field on a prototype of its own, so contexts of the same fields share one
  // hidden class. From `{}` (or frozen, or spread-cloned) a poll's contexts got one each: V8
  // stops sharing transitions from a map that has too many, and `{}`'s has every object's.
  const copy = new KeptContext();
  for (const k in from) {
    const v = from[k];
    copy[k] = typeof v === 'string' ? sharedText(v) : v;
  }
  KeptFields.set(copy);
  if (sharedContexts.size >= MAX_CONTEXTS) sharedContexts.clear();
  sharedContexts.set(hash, known === undefined ? copy : [...(Array.isArray(known) ? known : [known]), copy]);
  return copy;
}

/*
 * Kept contexts, shared by every join with the same fields and values: their fields are kinds
 * (network, data center, location, device type, client version...), never who the participant
 * is (names, e-mail, IP and the device's own name are not context: catalog.ts NOT_READ), so
 * participants mostly have one of a few hundred. 104 B a context per join before; now one per
 * kind. Found by a hash of the fields (a key string would cost more than the context), the
 * few that share a hash in a list. Bounded as the texts are: emptied when full, which costs
 * only sharing (and lets go of contexts no join holds any more).
 */
const MAX_CONTEXTS = 4_096;
const sharedContexts = new Map<number, Readonly<ParticipantContext> | Readonly<ParticipantContext>[]>();

/** A hash of a context's field names and values, as a small integer. */
function hashOf(c: Record<string, string | undefined>): number {
  let h = 0;
  for (const k in c) {
    const v = c[k];
    const s = typeof v === 'string' ? v : String(v);
    for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
    h = (Math.imul(h, 31) + 1) | 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    h = (Math.imul(h, 31) + 2) | 0;
  }
  return h & 0x3fffffff;
}

/** The same fields, in the same order, with the same values (as a kept copy of `from` would have). */
function sameContext(from: Record<string, string | undefined>, kept: Readonly<ParticipantContext>): boolean {
  const was = kept as Record<string, string | undefined>;
  const a = Object.keys(from);
  const b = Object.keys(was);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || from[a[i]!] !== was[b[i]!]) return false;
  return true;
}
