/**
 * HTML's names of characters that util/html-references.ts reads: those of the ASCII marks, of
 * Latin-1 (U+00A0 to U+00FF) and the rest of HTML 4's (Greek letters, typographic marks,
 * arrows, mathematical signs: the names PHP's htmlentities() and many server templates write for
 * a character beyond Latin-1, `&euro;`, `&mdash;`, `&alpha;`), as HTML 5 reads them. And which of
 * them HTML reads without their `;` too (`&amp`, `&auml`: its legacy names).
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
};

/** HTML's names of U+00A0 to U+00FF, in order. */
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute ' +
  'Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde ' +
  'auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ' +
  'ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

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
  'prime,Prime:2032 lsaquo,rsaquo:2039 oline:203e frasl:2044 euro:20ac image:2111 weierp:2118',
  'real:211c trade:2122 alefsym:2135 larr,uarr,rarr,darr,harr:2190 crarr:21b5 lArr,uArr,rArr,dArr,hArr:21d0',
  'forall:2200 part,exist:2202 empty:2205 nabla,isin,notin:2207 ni:220b prod:220f sum,minus:2211',
  'lowast:2217 radic:221a prop,infin:221d ang:2220 and,or,cap,cup,int:2227 there4:2234 sim:223c',
  'cong:2245 asymp:2248 ne,equiv:2260 le,ge:2264 sub,sup,nsub:2282 sube,supe:2286 oplus:2295',
  'otimes:2297 perp:22a5 sdot:22c5 lceil,rceil,lfloor,rfloor:2308 lang,rang:27e8 loz:25ca',
  'spades:2660 clubs:2663 hearts,diams:2665',
].join(' ');

const html4Names = (): [string, string][] =>
  HTML4_NAMES.split(' ').flatMap((run) => {
    const [names, first] = run.split(':') as [string, string];
    return names
      .split(',')
      .map((name, i): [string, string] => [name, String.fromCodePoint(parseInt(first, 16) + i)]);
  });

/** Every name util/html-references.ts reads, with the character it stands for. */
export const HTML_NAMES: ReadonlyMap<string, string> = new Map([
  ...Object.entries(ASCII_NAMES),
  ...LATIN1_NAMES.split(' ').map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
  ['COPY', '\u00a9'],
  ['REG', '\u00ae'],
  ...html4Names(),
]);

/**
 * The names HTML reads without their `;` (its legacy ones: `&amp`, `&lt`, `&copy`, `&auml`, every
 * Latin-1 one), in text as a browser does: the longest of them that starts the name (`&ampx` is
 * `&x`, `&notin` without `;` is `¬in`).
 */
export const LEGACY_NAMES: ReadonlySet<string> = new Set([
  ...LATIN1_NAMES.split(' '),
  ...'amp AMP lt LT gt GT quot QUOT COPY REG'.split(' '),
]);

/** The longest legacy name's length (`frac14`, `ccedil`). */
export const LEGACY_MAX = Math.max(...[...LEGACY_NAMES].map((n) => n.length));
