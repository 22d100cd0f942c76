import { type Cut, SplicedText } from './spliced-text.js';

/**
 * `text` without the separators between the hex digits of its runs of hex (`de ad` and `dead beef`
 * as `xxd` and `od -x` group bytes, `de:ad`, `de-ad`, `0xde 0xad`, `0xde, 0xad`, a dump's lines)
 * of `min` characters or more, or undefined when it has none: where a hex dump of a value is
 * looked for (util/hide-values.ts), besides the text as it is.
 */
export function hexJoined(text: string, min: number): SplicedText | undefined {
  const read = text.replace(HEX_RUN, (run) => (run.length < min ? run : run.replace(HEX_SEPARATOR, '')));
  return read.length === text.length ? undefined : new SplicedText(text, read, () => hexCuts(text, min));
}

/** The separators hexJoined takes out of `text`, in order. */
function* hexCuts(text: string, min: number): Generator<Cut> {
  for (const run of text.matchAll(HEX_RUN)) {
    if (run[0].length < min) continue;
    for (const s of run[0].matchAll(HEX_SEPARATOR))
      yield [run.index + s.index, run.index + s.index + s[0].length, ''];
  }
}

/** Between two groups of hex digits: a blank or a few, `:`, `,`, `-`, a line's end; then a `0x`. */
const SEPARATOR = '(?:[:,-] {0,4}|,?\\r?\\n {0,4}| {1,4})(?:0[xX])?';

/**
 * A run of groups of 2 hex digits or more, each a word alone, with separators between them (the
 * groups' characters are none of a separator's: a run is read one way, in linear time).
 */
const HEX_RUN = new RegExp(`\\b(?:0[xX])?[0-9a-fA-F]{2,}(?:${SEPARATOR}[0-9a-fA-F]{2,})+\\b`, 'g');
const HEX_SEPARATOR = new RegExp(SEPARATOR, 'g');
