/**
 * HTML's character references, as a page, an XML answer or a server's error page writes a text
 * (util/escaped-text.ts reads them): `&#104;`, `&#x68;`, and without their `;` as HTML reads them
 * too (`&#104&#105`); and the named ones of every ASCII mark (`&sol;`, `&colon;`, `&quest;`,
 * `&amp;`...) and of Latin-1's characters (`&auml;`, `&nbsp;`), `;` required.
 */

/** HTML's names of the ASCII marks, several for some (`&lsqb;`, `&lbrack;`). */
const ASCII_NAMES: Readonly<Record<string, string>> = {
  Tab: '\t',
  NewLine: '\n',
  excl: '!',
  quot: '"',
  QUOT: '"',
  num: '#',
  dollar: '$',
  percnt: '%',
  amp: '&',
  AMP: '&',
  apos: "'",
  lpar: '(',
  rpar: ')',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  sol: '/',
  colon: ':',
  semi: ';',
  lt: '<',
  LT: '<',
  equals: '=',
  gt: '>',
  GT: '>',
  quest: '?',
  commat: '@',
  lsqb: '[',
  lbrack: '[',
  bsol: '\\',
  rsqb: ']',
  rbrack: ']',
  Hat: '^',
  lowbar: '_',
  UnderBar: '_',
  grave: '`',
  DiacriticalGrave: '`',
  lcub: '{',
  lbrace: '{',
  verbar: '|',
  vert: '|',
  VerticalLine: '|',
  rcub: '}',
  rbrace: '}',
  euro: '€',
};

/** HTML's names of U+00A0 to U+00FF, in order. */
export const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute ' +
  'Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde ' +
  'auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ' +
  'ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

/** The names stop 43 reads (with their `;`): the ASCII marks', Latin-1's and `euro`. */
export const NAMED: ReadonlyMap<string, string> = new Map([
  ...Object.entries(ASCII_NAMES),
  ...LATIN1_NAMES.split(' ').map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
]);

/** A character reference as the escapes' search finds it: a number with or without its `;`, a name with it. */
export const HTML_REFERENCE = '&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)';

/**
 * The character the reference at `i` (HTML_REFERENCE matched it, ending at `end`) stands for and
 * where it ends, or undefined for a name HTML has not, or a number that is no character (a
 * surrogate, past U+10FFFF).
 */
export function htmlAt(text: string, i: number, end: number): [string, number] | undefined {
  if (text[i + 1] !== '#') {
    const named = NAMED.get(text.slice(i + 1, end - 1));
    return named === undefined ? undefined : [named, end];
  }
  const digits = text.slice(i + 2, text[end - 1] === ';' ? end - 1 : end);
  const code = digits[0] === 'x' || digits[0] === 'X' ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return [String.fromCodePoint(code), end];
}
