import { describe, expect, it } from 'vitest';
import { lowerScheme, urlCaseFolded } from '../../src/util/http-url.js';

/** What each folds, from the one scheme pattern they share (util/http-url.ts SCHEME_AUTHORITY). */
const CASES: { name: string; text: string; lower: string; folded: string }[] = [
  {
    name: 'scheme and host',
    text: 'HTTPS://Hooks.Example.COM/P?Q=A',
    lower: 'https://Hooks.Example.COM/P?Q=A',
    folded: 'https://hooks.example.com/P?Q=A',
  },
  {
    name: 'a host with ${',
    text: 'Http://${HOST}:80/X',
    lower: 'http://${HOST}:80/X',
    folded: 'http://${HOST}:80/X',
  },
  {
    name: 'no //: the scheme only, and not compared',
    text: 'MAILTO:Ops@X',
    lower: 'mailto:Ops@X',
    folded: 'MAILTO:Ops@X',
  },
  {
    name: 'no scheme',
    text: 'Hooks.Example.com/X',
    lower: 'Hooks.Example.com/X',
    folded: 'Hooks.Example.com/X',
  },
  { name: 'an empty host', text: 'HTTP:///X', lower: 'http:///X', folded: 'http:///X' },
  {
    name: 'a scheme with + . -',
    text: 'Svn+SSH://H.X/Y',
    lower: 'svn+ssh://H.X/Y',
    folded: 'svn+ssh://h.x/Y',
  },
];

describe('lowerScheme and urlCaseFolded', () => {
  it.each(CASES)('$name', ({ text, lower, folded }) => {
    expect(lowerScheme(text)).toBe(lower);
    expect(urlCaseFolded(text)).toBe(folded);
  });
});
