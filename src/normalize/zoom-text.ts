/** A string or number from Zoom as text; anything else is empty. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** The most UTF-16 units kept of a free text from Zoom (Zoom's own limits: topics 200, names 64). */
export const TEXT_MAX = 300;

/**
 * The part of a character class that UNSEEN, KEY_ESCAPED and JSON_UNSEEN share: DEL, the C1
 * controls, the format characters and the other default-ignorable code points.
 */
const NOT_C0 = String.raw`\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}`;
/**
 * Characters that change what people read without being seen: the C0 controls but the line
 * feed (a carriage return, a backspace or an escape sequence rewrites a terminal line), DEL,
 * the C1 controls, the format characters (`\p{Cf}`: the bidirectional marks, embeddings,
 * overrides and isolates, U+200E, U+202A-U+202E, U+2066-U+2069, where a right-to-left override
 * makes "gpj.exe" read "exe.jpg"; zero-width spaces and joiners, U+FEFF, U+2060-U+2064, the soft
 * hyphen, tag characters), every other Default_Ignorable_Code_Point (variation selectors,
 * Hangul fillers U+115F, U+3164, U+180E...), and lone surrogates (`\p{Cs}` with the u flag
 * matches only those: a pair is one code point). `70\u200f03` must not read as `7003`.
 */
const UNSEEN = new RegExp(String.raw`[\u0000-\u0009\u000b-\u001f${NOT_C0}\p{Cs}]`, 'u');
/**
 * The unseen characters that shape the visible one right before them: the zero-width non-joiner
 * and joiner (Persian and Indic names, emoji such as U+1F468 U+200D U+1F469) and the variation
 * selectors (U+2764 U+FE0F). They reorder nothing; replaced, a Persian name's U+200C and a family emoji
 * broke. Kept only after a letter, mark, number, symbol or punctuation (one at a time: a run of
 * them is unseen again).
 */
// eslint-disable-next-line no-misleading-character-class -- the joiners are matched alone, on purpose
const JOINING = /(?<=[\p{L}\p{M}\p{N}\p{S}\p{P}])[\u200c\u200d\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
// eslint-disable-next-line no-misleading-character-class -- as JOINING
const UNSEEN_NOT_JOINING = new RegExp(`${JOINING.source}|(${UNSEEN.source})`, 'gu');
/** Line breaks: LF, CR LF, U+2028, U+2029 and NEL. */
const LINE_BREAK = /\r?\n|[\u2028\u2029\u0085]/g;

/** `s` with each unseen character (UNSEEN) replaced by U+FFFD, which shows that something was there. */
export const unseenReplaced = (s: string): string =>
  s.replace(UNSEEN_NOT_JOINING, (c: string, unseen?: string) => (unseen ? '\ufffd' : c));

/** Only U+0020-U+007E: no line break (LINE_BREAK), no unseen or joining character (all are U+0000-U+001F or past U+007E). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/**
 * Zoom's free text (names, topics, e-mails, device and context texts: whatever a host or guest
 * typed) as qoswatch keeps it, where it enters: on one line (a line break becomes a space, so a
 * name cannot start a line of its own) and its unseen characters replaced by U+FFFD, so a
 * right-to-left override in a name cannot reorder an alert's text in the console, the log, a
 * webhook, Alertmanager, Slack or an e-mail, nor a report's. A text of printable ASCII only
 * (most: the normalizer reads every sample's context texts through this) holds neither, and is
 * returned without the two passes.
 */
export const visible = (s: string): string => (PRINTABLE_ASCII.test(s) ? s : unseenReplaced(onOneLine(s)));

/**
 * `\u202e` for U+202E: a character as JSON and JavaScript escape it, a UTF-16 unit each (a tag
 * character is `\udb40\udc41`, a lone surrogate `\ud800`).
 */
const unicodeEscape = (c: string): string => {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
};

/**
 * What a participant key shows escaped: the unseen characters (UNSEEN), line breaks, the blanks
 * that look like a space but are not one (U+00A0, U+3000...) and the backslash.
 */
const KEY_ESCAPED = new RegExp(String.raw`(?! )[\u0000-\u001f${NOT_C0}\p{Cs}\p{Z}\\]`, 'gu');

/**
 * A participant key as people and labels see it: the key itself, or, when it holds an unseen
 * character, a line break or a backslash, those escaped (`\u202e`, `\\`). Keys are Zoom's ids,
 * kept raw for joins and API calls (a name is made {@link visible} where it enters; a key
 * cannot be), so this is applied where one is shown: a guest's name, the `participant` label of
 * alerts and metrics, alert texts, reports. One to one, unlike `visible`: two keys never show
 * the same, so two participants never share a metric series or an alert's labels.
 */
export const shownKey = (key: string): string =>
  key.replace(KEY_ESCAPED, (c) => (c === '\\' ? '\\\\' : unicodeEscape(c)));

/**
 * What JSON.stringify leaves unescaped of KEY_ESCAPED: DEL, the C1 controls, the format and
 * default-ignorable characters, U+2028, U+2029 and the other blanks but the space (it escapes
 * the C0 controls and lone surrogates itself).
 */
const JSON_UNSEEN = new RegExp(String.raw`(?! )[${NOT_C0}\p{Z}]`, 'gu');

/**
 * A JSON text with the unseen characters JSON.stringify leaves as they are written as `\u202e`
 * escapes: the same data for a program (a participant key in it is the raw key, for API calls),
 * nothing reordered for a person reading it in a terminal. They stand only inside strings.
 */
export const jsonUnseenEscaped = (json: string): string => json.replace(JSON_UNSEEN, unicodeEscape);

/** `s` with its line breaks (LF, CR LF, U+2028, U+2029, NEL) made spaces; a lone CR is left to {@link unseenReplaced}. */
export const onOneLine = (s: string): string => s.replace(LINE_BREAK, ' ');

/**
 * A free text from Zoom (a topic, a name, an e-mail): `str` made {@link visible}, cut to
 * TEXT_MAX with an ellipsis as its last character (never inside a surrogate pair). One hostile
 * 200 MB topic must not be kept, logged twice a line, put in labels and sent to every notifier whole.
 */
export function text(v: unknown): string {
  const raw = str(v);
  if (raw.length <= TEXT_MAX) return visible(raw);
  const s = visible(raw.slice(0, TEXT_MAX));
  const high = s.charCodeAt(TEXT_MAX - 2);
  return `${s.slice(0, high >= 0xd800 && high <= 0xdbff ? TEXT_MAX - 2 : TEXT_MAX - 1)}\u2026`;
}
