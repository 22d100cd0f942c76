import { KINDS, type EscapeKind } from './escape-kinds.js';
import { EscapedText, mayHoldEscapes } from './escaped-text.js';
import { SplicedText } from './spliced-text.js';

/** A text read, and where its characters stand in the text it was read from. */
export interface Reading {
  readonly read: string;
  span(from: number, to: number): [number, number];
}

/**
 * The readings of `text` in which util/hide-values.ts looks for a value however it is escaped,
 * as chains: each reading of a chain is of the one before it (the text itself first), so that a
 * value escaped again and again is found (`%2541` for `A`, `&amp;#104;`).
 *
 * The first chain reads stop 43's escapes (util/escaped-text.ts) exactly as before, so nothing it
 * found is lost; then, for each kind of escape of util/escape-kinds.ts (quoted-printable, octal
 * and `\u{..}`, echo's octal, HTML's legacy names...) that the text or a reading of the first
 * chain holds, a chain of its own that reads that kind with those of the first. A kind is kept out
 * of every other chain: read with the first one's (stop 44, reverted), a text that only looked
 * like an escape of it was read as one, and a secret written with some characters escaped and
 * others kept was no longer found (`pw=4f$ecret%20pass`: `=4f` read as quoted-printable ate the
 * secret's first characters; rA44).
 */
export function readingChains(text: string): Chain[] {
  const first = chainOf(text, undefined, 0);
  const chains: Chain[] = [{ readings: first, from: 0 }];
  const levels = [text, ...first.map((r) => r.read)];
  for (const kind of KINDS) {
    // The first chain's readings before the first that holds one of the kind are this chain's too.
    const at = levels.findIndex((t) => kind.present(t));
    if (at >= 0)
      chains.push({ readings: [...first.slice(0, at), ...chainOf(levels[at]!, kind, at)], from: at });
  }
  return chains;
}

/** A chain of readings, each of the one before it; those before `from` are the first chain's, already looked in. */
export interface Chain {
  readings: Reading[];
  from: number;
}

/**
 * The readings of `text` (read `done` times before) with `kind`'s escapes (or the first
 * reading's only): its escapes read while it still holds one, MAX_READINGS times in all at most;
 * and if it still holds one then, every layer of percent-encoding left taken off at once
 * (`%2525252541` read as `%41`: PERCENT_LAYERS) and read once more, so that a value
 * percent-encoded 5, 6 or 20 times is found too, and a line of escapes inside escapes costs
 * MAX_READINGS + 2 passes at most.
 */
function chainOf(text: string, kind: EscapeKind | undefined, done: number): Reading[] {
  const readings: Reading[] = [];
  let read = text;
  const mayHold = (t: string): boolean => mayHoldEscapes(t) || (kind?.present(t) ?? false);
  const readOnce = (): boolean => {
    const next = new EscapedText(read, kind);
    // No escape read: the text as it is, whose values the forms found.
    if (next.read.length === read.length) return false;
    readings.push(next);
    read = next.read;
    return true;
  };
  while (done + readings.length < MAX_READINGS && mayHold(read)) if (!readOnce()) return readings;
  if (done + readings.length < MAX_READINGS || !mayHold(read)) return readings;
  const layers = read.includes('%25') ? SplicedText.replacing(read, PERCENT_LAYERS, '%') : undefined;
  if (layers?.changed) {
    readings.push(layers);
    read = layers.read;
  }
  readOnce();
  return readings;
}

/** How many times a text is read for escapes before its layers of percent-encoding are taken off at once. */
const MAX_READINGS = 4;

/** A percent-escape inside layers of percent-encoding (`%2525` before `41`): read as one `%`. */
const PERCENT_LAYERS = /%(?:25)+(?=[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})/g;
