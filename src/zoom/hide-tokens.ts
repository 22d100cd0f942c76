import { credentialParts } from '../util/credential-parts.js';
import { hideValues } from '../util/hide-values.js';

/** What an error shows where Zoom's answer (or a proxy's) repeated an access token. */
const TOKEN_SHOWN = '[access token]';

/** Shorter values are not hidden: they could be words of the message (no real token is this short). */
const MIN_TOKEN = 8;

/** `text` with each of `tokens` replaced by TOKEN_SHOWN, longer ones first. */
export const hideTokens = (text: string, tokens: readonly string[]): string =>
  hideValues(text, tokens, TOKEN_SHOWN, MIN_TOKEN);

/**
 * The secrets of an Authorization header as an answer may echo them: its credential without the
 * scheme, whatever the scheme (`Bearer`, `Token`, `JWT`...; for `Basic`, the decoded
 * `user:password` and the password too: util/credential-parts.ts), or the whole value when it has
 * no scheme.
 */
function secretsOf(header: string): string[] {
  const parts = credentialParts(header);
  return parts.length > 0 ? parts : [header.trim()];
}

/**
 * The secrets of the last two Authorization headers sent (the current token and the one before
 * it): Zoom's error messages are shown without them, wherever an answer quotes one.
 */
export class SentTokens {
  private recent: { header: string; secrets: string[] }[] = [];
  /** The secrets of `recent`, worked out once per new header (note runs on every request). */
  private tokens: readonly string[] = [];

  /** Notes `header` as sent; gives the tokens to hide. */
  note(header: string): readonly string[] {
    if (this.recent[0]?.header !== header) {
      const earlier = this.recent.filter((r) => r.header !== header);
      this.recent = [{ header, secrets: secretsOf(header) }, ...earlier].slice(0, 2);
      this.tokens = this.recent.flatMap((r) => r.secrets);
    }
    return this.tokens;
  }
}
