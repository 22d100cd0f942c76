/** What an error shows where Zoom's answer (or a proxy's) repeated an access token. */
const TOKEN_SHOWN = '[access token]';

/** Shorter values are not hidden: they could be words of the message (no real token is this short). */
const MIN_TOKEN = 8;

/** `text` with each of `tokens` replaced by TOKEN_SHOWN, longer ones first. */
export function hideTokens(text: string, tokens: readonly string[]): string {
  let out = text;
  for (const t of [...tokens].sort((a, b) => b.length - a.length))
    if (t.length >= MIN_TOKEN) out = out.split(t).join(TOKEN_SHOWN);
  return out;
}

/** The credential of an Authorization header: `Bearer xyz` gives `xyz`, anything else itself. */
const credentialOf = (header: string): string => header.replace(/^\s*bearer\s+/i, '').trim();

/**
 * The credentials of the last two Authorization headers sent (the current token and the one
 * before it): Zoom's error messages are shown without them, wherever an answer quotes one.
 */
export class SentTokens {
  private recent: string[] = [];

  /** Notes `header` as sent; gives the tokens to hide. */
  note(header: string): readonly string[] {
    const token = credentialOf(header);
    if (this.recent[0] !== token)
      this.recent = [token, ...this.recent.filter((t) => t !== token)].slice(0, 2);
    return this.recent;
  }
}
