/**
 * Pieces of the Prometheus text exposition format (version 0.0.4) for the series qoswatch
 * renders itself: label values escaped exactly as the format asks, sample values, family headers.
 */

// With the u flag a surrogate pair is one code point: only lone surrogates match the range.
const NEEDS_ESCAPE = /[\\"\n\uD800-\uDFFF]/u;
const ESCAPED = /[\\"\n\uD800-\uDFFF]/gu;
const escapeChar = (c: string): string =>
  c === '\n' ? '\\n' : c === '\\' || c === '"' ? `\\${c}` : '\uFFFD';

/**
 * A label value in the text format: backslash, double quote and line feed escaped, nothing else.
 * A lone UTF-16 surrogate (a string that cannot be UTF-8) becomes U+FFFD here, so the bytes sent
 * are valid UTF-8 whatever wrote them.
 */
export function labelValue(v: string): string {
  return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, escapeChar) : v;
}

/** A sample value: Go's float syntax for the special values, JavaScript's shortest round-trip otherwise. */
export const sampleText = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);

/** `# HELP` (backslash and line feed escaped) and `# TYPE` of a family. */
export const familyHeader = (name: string, help: string, type = 'gauge'): string =>
  `# HELP ${name} ${help.replace(/[\\\n]/g, escapeChar)}\n# TYPE ${name} ${type}\n`;
