/**
 * Schema keywords for a setting that must be an http(s) URL: `format: uri` alone accepts
 * `file:`, `javascript:` and `http://user:password@host/`, whose credentials would then be
 * refused by fetch on every attempt.
 */
export const HTTP_URL = {
  pattern: '^https?://[^/?#@\\s]+([/?#]|$)',
  errorMessage: 'an http(s) URL without user:password@ (credentials go in headers)',
} as const;
