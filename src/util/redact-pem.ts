import { REDACTED } from './redact-pairs.js';

/** The first line of a PEM private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`...). */
const BEGIN = /-----BEGIN ([A-Z0-9]+ ){0,3}PRIVATE KEY-----/g;
const END = '-----END ';

/**
 * The text with the body of every PEM private key block in it replaced by `[redacted]`
 * (`-----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY-----`), in a log line or an error,
 * as it is or inside a JSON string (its line ends escaped); a block without its END line is hidden
 * to the text's end. Linear: the END is looked for once per block, from where the block starts.
 */
export function redactPemKeys(text: string): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  let out = '';
  let done = 0;
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m; m = BEGIN.exec(text)) {
    const body = m.index + m[0].length;
    const end = text.indexOf(END, body);
    out += `${text.slice(done, body)}${REDACTED}`;
    if (end < 0) return out;
    done = end;
    BEGIN.lastIndex = end;
  }
  return out + text.slice(done);
}
