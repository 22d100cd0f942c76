import { LATIN1_NAMES, NAMED } from './html-references.js';

/**
 * HTML's character references that util/html-references.ts does not read, read only in a text's
 * second readings (util/escape-kinds.ts, the HTML kind): the rest of HTML 4's names (Greek
 * letters, typographic marks, arrows, mathematical signs, as PHP's htmlentities() writes a
 * character beyond Latin-1: `&mdash;`, `&alpha;`, `&hellip;`), the names HTML reads without their
 * `;` (its legacy names: `&amp`, `&lt`, `&copy`, `&auml`; the longest that starts the name, as a
 * browser reads it: `&ampx` is `&x`), and a number that is a half of a surrogate pair
 * (`&#55357;&#56832;`, as an encoder of each UTF-16 unit writes `😀`). They are kept apart from
 * the first reading because a text that only looks like one (`pa ss&copyw9x`, a secret with `&copy`
 * in it) must still be read as it was (rA44).
 */

/**
 * HTML 4's names beyond Latin-1 (its special and symbol sets), as `name:code point` (hex) or, for
 * a run of consecutive code points, `first,second,...:code point of the first`.
 */
const HTML4_NAMES = [
  'OElig,oelig:152 Scaron,scaron:160 Yuml:178 fnof:192 circ:2c6 tilde:2dc',
  'Alpha,Beta,Gamma,Delta,Epsilon,Zeta,Eta,Theta,Iota,Kappa,Lambda,Mu,Nu,Xi,Omicron,Pi,Rho:391',
  'Sigma,Tau,Upsilon,Phi,Chi,Psi,Omega:3a3',
  'alpha,beta,gamma,delta,epsilon,zeta,eta,theta,iota,kappa,lambda,mu,nu,xi,omicron,pi,rho,sigmaf,sigma,tau,upsilon,phi,chi,psi,omega:3b1',
  'thetasym,upsih:3d1 piv:3d6 ensp,emsp:2002 thinsp:2009 zwnj,zwj,lrm,rlm:200c ndash,mdash:2013',
  'lsquo,rsquo,sbquo:2018 ldquo,rdquo,bdquo:201c dagger,Dagger,bull:2020 hellip:2026 permil:2030',
  'prime,Prime:2032 lsaquo,rsaquo:2039 oline:203e frasl:2044 image:2111 weierp:2118',
  'real:211c trade:2122 alefsym:2135 larr,uarr,rarr,darr,harr:2190 crarr:21b5 lArr,uArr,rArr,dArr,hArr:21d0',
  'forall:2200 part,exist:2202 empty:2205 nabla,isin,notin:2207 ni:220b prod:220f sum,minus:2211',
  'lowast:2217 radic:221a prop,infin:221d ang:2220 and,or,cap,cup,int:2227 there4:2234 sim:223c',
  'cong:2245 asymp:2248 ne,equiv:2260 le,ge:2264 sub,sup,nsub:2282 sube,supe:2286 oplus:2295',
  'otimes:2297 perp:22a5 sdot:22c5 lceil,rceil,lfloor,rfloor:2308 lang,rang:27e8 loz:25ca',
  'spades:2660 clubs:2663 hearts,diams:2665 COPY:a9 REG:ae',
].join(' ');

/** The names read with their `;` here: HTML 4's beyond those html-references.ts reads. */
const WIDE_NAMES: ReadonlyMap<string, string> = new Map(
  HTML4_NAMES.split(' ').flatMap((run) => {
    const [names, first] = run.split(':') as [string, string];
    return names
      .split(',')
      .map((name, i): [string, string] => [name, String.fromCodePoint(parseInt(first, 16) + i)]);
  }),
);

/** The names HTML reads without their `;`: Latin-1's and `amp`, `lt`, `gt`, `quot`, `COPY`, `REG` in either case. */
const LEGACY_NAMES = [...LATIN1_NAMES.split(' '), ...'amp AMP lt LT gt GT quot QUOT COPY REG'.split(' ')];

/** A node of the legacy names' trie: the character of the name that ends here, and the next letters. */
interface TrieNode {
  char: string | undefined;
  next: Map<number, TrieNode>;
}

/** The legacy names by their letters: the longest that starts a name, found with no allocation. */
const LEGACY_TRIE: TrieNode = { char: undefined, next: new Map() };
for (const name of LEGACY_NAMES) {
  let node = LEGACY_TRIE;
  for (let k = 0; k < name.length; k++) {
    const code = name.charCodeAt(k);
    let next = node.next.get(code);
    if (!next) node.next.set(code, (next = { char: undefined, next: new Map() }));
    node = next;
  }
  node.char = NAMED.get(name) ?? WIDE_NAMES.get(name);
}

/** The longest name read with its `;` (`thetasym`, `alefsym`), and so the farthest a `;` is looked for. */
const LONGEST = Math.max(...[...WIDE_NAMES.keys(), ...NAMED.keys()].map((n) => n.length));

/**
 * The reference at `i` (a `&`) that only a second reading reads, and where it ends; undefined
 * where there is none, or one the first reading reads the same (`&amp;`, `&#104;`).
 */
export function wideHtmlAt(text: string, i: number): [string, number] | undefined {
  const c = text.charCodeAt(i + 1);
  if (c === 35 /* # */) return surrogateAt(text, i);
  // A name with its `;`: one of HTML 4's beyond those read before; one read before is theirs.
  let end = i + 1;
  while (end < text.length && end - i - 1 <= LONGEST && isAlnum(text.charCodeAt(end))) end++;
  if (text[end] === ';' && end > i + 1) {
    const name = text.slice(i + 1, end);
    if (NAMED.has(name)) return undefined;
    const wide = WIDE_NAMES.get(name);
    if (wide !== undefined) return [wide, end + 1];
  }
  let node = LEGACY_TRIE;
  let found: [string, number] | undefined;
  for (let k = i + 1; k < text.length; k++) {
    const next = node.next.get(text.charCodeAt(k));
    if (!next) break;
    node = next;
    if (node.char !== undefined) found = [node.char, k + 1];
  }
  return found;
}

/**
 * Whether `text` may hold a reference wideHtmlAt reads (a cheap look before a reading of them): a
 * name without its `;`, a name with it that html-references.ts does not read, a surrogate's number.
 */
export function mayHoldWideHtml(text: string): boolean {
  if (!text.includes('&')) return false;
  if (SURROGATE.test(text)) return true;
  NAME.lastIndex = 0;
  for (let m = NAME.exec(text); m; m = NAME.exec(text)) if (!m[2] || !NAMED.has(m[1]!)) return true;
  return false;
}

/** A name after a `&`, and its `;` if it has one. */
const NAME = /&([A-Za-z][A-Za-z0-9]{0,31})(;?)/g;
/** A number from U+D800 to U+DFFF. */
const SURROGATE =
  /&#(?:0*5(?:529[6-9]|5[3-9][0-9]{2}|6[0-9]{3}|7[0-2][0-9]{2}|73[0-3][0-9]|734[0-3])|[xX]0*[dD][89a-fA-F])/;

/** `&#55357;`, `&#xD83D;`: a half of a surrogate pair (with or without its `;`), which the first reading keeps. */
function surrogateAt(text: string, i: number): [string, number] | undefined {
  const hex = text[i + 2] === 'x' || text[i + 2] === 'X';
  let [code, k] = [0, i + (hex ? 3 : 2)];
  const from = k;
  for (; k < from + (hex ? 6 : 7) && k < text.length; k++) {
    const d = digit(text.charCodeAt(k), hex ? 16 : 10);
    if (d < 0) break;
    code = code * (hex ? 16 : 10) + d;
  }
  if (k === from || code < 0xd800 || code > 0xdfff) return undefined;
  return [String.fromCharCode(code), text[k] === ';' ? k + 1 : k];
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** The value of the digit `c` in `radix` (10 or 16), or -1. */
export const digit = (c: number, radix: number): number => {
  const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
  return d < radix ? d : -1;
};
