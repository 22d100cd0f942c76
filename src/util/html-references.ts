import { HTML_NAMES, LEGACY_MAX, LEGACY_NAMES } from './html-names.js';

/**
 * HTML's character references, as a page, an XML answer or a server's error page writes a text
 * (util/escaped-text.ts reads them): `&#104;`, `&#x68;`, and without their `;` as HTML reads them
 * too (`&#104&#105`), a number beyond U+00FF (`&#8364;`, `&#x1F600;`) and each half of a
 * surrogate pair alone (`&#55357;&#56832;`, as an encoder that writes each UTF-16 unit does); and
 * the named ones (util/html-names.ts: every ASCII mark's, Latin-1's and the rest of HTML 4's,
 * `&sol;`, `&auml;`, `&euro;`, `&mdash;`), and without their `;` those HTML reads so (`&amp`,
 * `&auml`: the longest legacy name that starts the name, `&ampx` is `&x`).
 */

/**
 * A character reference as the escapes' search finds it: a number with or without its `;`, a
 * name with it, or the letters and digits after a `&` that may start with a legacy name.
 */
export const HTML_REFERENCE = `&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};|[A-Za-z][A-Za-z0-9]{1,${LEGACY_MAX - 1}})`;

/**
 * The character the reference at `i` (HTML_REFERENCE matched it, ending at `end`) stands for and
 * where it ends, or undefined for a name HTML has not (nor starts with a legacy one), or a number
 * past U+10FFFF.
 */
export function htmlAt(text: string, i: number, end: number): [string, number] | undefined {
  if (text[i + 1] !== '#') return namedAt(text, i, end);
  const digits = text.slice(i + 2, text[end - 1] === ';' ? end - 1 : end);
  const code = digits[0] === 'x' || digits[0] === 'X' ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
  if (code > 0x10ffff) return undefined;
  // A half of a surrogate pair alone: the next reference may be its other half.
  return [code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code), end];
}

/** A named reference at `i`: the whole name before a `;`, else the longest legacy name it starts with. */
function namedAt(text: string, i: number, end: number): [string, number] | undefined {
  if (text[end - 1] === ';') {
    const named = HTML_NAMES.get(text.slice(i + 1, end - 1));
    if (named !== undefined) return [named, end];
  }
  let node = LEGACY_TRIE;
  let found: string | undefined;
  let at = 0;
  for (let k = i + 1; k < end; k++) {
    const next = node.next.get(text.charCodeAt(k));
    if (!next) break;
    node = next;
    if (node.char !== undefined) {
      found = node.char;
      at = k + 1;
    }
  }
  return found === undefined ? undefined : [found, at];
}

/** A node of the legacy names' trie: the character of the name that ends here, and the next letters. */
interface TrieNode {
  char: string | undefined;
  next: Map<number, TrieNode>;
}

/** The legacy names by their letters, for the longest that starts a name without a look at any other. */
const LEGACY_TRIE: TrieNode = { char: undefined, next: new Map() };
for (const name of LEGACY_NAMES) {
  let node = LEGACY_TRIE;
  for (let k = 0; k < name.length; k++) {
    const code = name.charCodeAt(k);
    let next = node.next.get(code);
    if (!next) node.next.set(code, (next = { char: undefined, next: new Map() }));
    node = next;
  }
  node.char = HTML_NAMES.get(name);
}
