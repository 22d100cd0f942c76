import { createRequire } from 'node:module';
import type * as Re2js from 're2js';

// Loaded on the first pattern: a daemon whose rules and routes have none never reads re2js's 260 KB.
const require = createRequire(import.meta.url);
let re2js: typeof Re2js.RE2JS | undefined;
const RE2 = (): typeof Re2js.RE2JS => (re2js ??= (require('re2js') as typeof Re2js).RE2JS);

/** A compiled pattern: `test` answers whether a value matches. */
export interface Pattern {
  test(value: string): boolean;
  readonly source: string;
}

/** Longest `/regex/` accepted, in characters; RE2 bounds the time, this bounds the memory. */
export const MAX_PATTERN_LENGTH = 1000;

/**
 * `*` globs and `/regex/` patterns, compiled once. Regular expressions run on RE2 (re2js, a
 * pure-JavaScript port): matching takes time linear in the value, so no pattern written in a
 * rule or a route can stall the daemon on a hostile participant name (ReDoS). RE2 has no
 * backreferences or lookaround; a pattern using them is refused with the reason. Returns an
 * error text for a pattern that cannot be used.
 */
export function compilePattern(p: string): Pattern | { error: string } {
  if (p.length > 2 && p.startsWith('/') && p.endsWith('/')) {
    if (p.length > MAX_PATTERN_LENGTH + 2)
      return {
        error: `regular expression of ${p.length - 2} characters; expected at most ${MAX_PATTERN_LENGTH}`,
      };
    try {
      const re = RE2().compile(p.slice(1, -1), RE2().CASE_INSENSITIVE);
      return { source: p, test: (v) => re.test(v) };
    } catch (err) {
      // re2js quotes the pattern with the (?i) it was compiled with, which the file does not hold.
      const why = (err as Error).message.replaceAll('`(?i)', '`');
      return {
        error: `bad regular expression ${p}: ${why}; expected RE2 syntax (no backreferences or lookaround)`,
      };
    }
  }
  const escaped = p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  // A glob is `.*` runs between literals: RE2 keeps even `*a*a*a*...` linear.
  const re = RE2().compile(`^${escaped}$`, RE2().CASE_INSENSITIVE | RE2().DOTALL);
  return { source: p, test: (v) => re.test(v) };
}

/** Whether compilePattern succeeded. */
export const isPattern = (p: Pattern | { error: string }): p is Pattern => !('error' in p);
