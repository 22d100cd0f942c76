/**
 * The words of a message that says what is wrong with a secret, such as the value of
 * `Invalid password: wrong length` or `Invalid token: must be at least 32 characters long`
 * (util/redact-pairs.ts keeps such a value; any other value after `password:` is hidden). A
 * fixed vocabulary, not "any lower-case words": `Invalid password: correct horse battery` is a
 * passphrase, and a leaked secret is worse than an over-redacted message. Taken from the
 * messages libraries and services give about a credential (its length, format, characters,
 * state), with the small words that join them.
 */
const VOCABULARY: ReadonlySet<string> = new Set(
  [
    // What is wrong.
    'wrong invalid incorrect bad malformed expired expires revoked rejected refused missing',
    'required empty blank unknown unsupported unexpected weak mismatch mismatched failed denied',
    'disabled locked unset undefined null none absent unrecognized unauthorized forbidden',
    'insecure reused truncated valid exceeds exceeded limit',
    // What it is about: its size, format and characters.
    'length size short long longer shorter format encoding characters character chars bytes',
    'byte digits digit letters letter numbers number symbols symbol lowercase uppercase special',
    'space spaces whitespace words word minimum maximum min max ascii hex base64 prefix suffix',
    'trailing leading line newline value field key type string password token secret',
    'seconds minutes hours days',
    // The words that join them.
    "not no does do did doesn't don't isn't aren't wasn't can't cannot is are was were be been",
    'has have had must should can may match matches matching contain contains include includes',
    'set found given provided supplied expected allowed accepted needed used too at least most',
    'more less than only between and or of a an the in for with without to after before from',
    'as it its this that one same any many few yet still already please check try again',
  ]
    .join(' ')
    .split(' '),
);

/** Words that say a signature's state besides VOCABULARY's (`valid`, `invalid`, `missing`, `mismatch`...). */
const STATES: ReadonlySet<string> = new Set(
  'ok good verified unverified checked unchecked skipped present matched correct'.split(' '),
);

/** A word of a message: lower-case letters (`isn't`) or a number of 5 digits at most, in brackets or before a `,`, `;` or `.` at most. */
const WORD = /^\(?([a-z]+(?:'[a-z]+)?|\d{1,5})\)?[,;.]?$/;

/**
 * Whether `text` says what is wrong with a secret and gives none: every word of it from the
 * vocabulary above or a short number, two words of letters at least
 * (`wrong length`, `must be at least 8 characters long.`). Linear in the text.
 */
export const isProblemMessage = (text: string): boolean => knownWords(text, (w) => VOCABULARY.has(w)) >= 2;

/**
 * How many words of letters `text` holds when each of its words (WORD) is a short number or
 * `known`, or -1 when one is neither. Linear in the text.
 */
function knownWords(text: string, known: (word: string) => boolean): number {
  let letterWords = 0;
  for (const w of text.trim().split(/\s+/)) {
    const m = WORD.exec(w);
    if (!m) return -1;
    if (/\d/.test(m[1]!)) continue;
    if (!known(m[1]!)) return -1;
    letterWords++;
  }
  return letterWords;
}

/**
 * What a message says after `secret:` when there is no secret to show (`secret: not set`,
 * `token: missing`, `password: (none)`, `api_key: is not configured.`): kept, where any other
 * value after a secret's key is hidden. The whole value, from this short list only.
 */
const ABSENT =
  /^[(<[]?(?:(?:is|was|are|has not been|is still) )?(?:not (?:set|configured|provided|given|supplied|defined|found)|missing|unset|undefined|empty|required|absent|none|null|nil)[)>\]]?[.,;!]?$/i;

/** Whether `text` (a secret key's value) only says the secret is not there (ABSENT). */
export const saysAbsent = (text: string): boolean => ABSENT.test(text.trim());

/**
 * Whether `text` (a signature's value: util/redact-pairs.ts) says the signature's state and gives
 * none: in or out of quotes, words of VOCABULARY or STATES in any case, one at least, and short
 * numbers (`valid`, `"ok"`, `Invalid`, `mismatch`, `not checked`). A signature is a digest, hex
 * or base64 of 16 characters or more: never such words. Linear in the text.
 */
export const saysState = (text: string): boolean =>
  knownWords(
    text
      .trim()
      .replace(/^["'`]|["'`]$/g, '')
      .toLowerCase(),
    (w) => VOCABULARY.has(w) || STATES.has(w),
  ) >= 1;
