import { expect } from 'vitest';
import { redactUrlCredentials } from '../../src/util/redact-url.js';

/**
 * Each key of `cases` redacted (util/redact-url.ts, the log's patterns): checked to be its value,
 * and the same when redacted again (a log line written twice through redaction reads as once);
 * gives them.
 */
export function redactedOnceAndAgain(cases: Readonly<Record<string, string>>): string[] {
  return Object.entries(cases).map(([text, shown]) => {
    const once = redactUrlCredentials(text);
    expect(once).toBe(shown);
    expect(redactUrlCredentials(once)).toBe(once);
    return once;
  });
}
