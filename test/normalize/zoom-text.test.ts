import { describe, expect, it } from 'vitest';
import { shownKey, visible } from '../../src/normalize/zoom-text.js';

const ZWNJ = '\u200c';
const ZWJ = '\u200d';
const VS16 = '\ufe0f';

describe('visible: names as people typed them', () => {
  it('keeps a joiner or a variation selector that shapes the character before it (outside helper hE, stop 37: 42bc3b5 broke them)', () => {
    // A Persian name (mi-khaham: ZWNJ between its letters), a Devanagari conjunct (virama, ZWJ),
    // a family emoji (man ZWJ woman ZWJ girl) and a red heart (U+2764 VS16).
    const persian = `\u0645\u06cc${ZWNJ}\u062e\u0648\u0627\u0645`;
    const hindi = `\u0915\u094d${ZWJ}\u0937`;
    const family = `\u{1f468}${ZWJ}\u{1f469}${ZWJ}\u{1f467}`;
    const heart = `\u2764${VS16}`;
    for (const name of [persian, hindi, family, heart, `Ann ${family} ${heart}`])
      expect(visible(name)).toBe(name);
  });

  it('still replaces one that follows nothing visible, a run of them, and every other unseen character', () => {
    expect(visible(`${ZWJ}Ann`)).toBe('\ufffdAnn');
    expect(visible(`Ann ${ZWNJ}Bob`)).toBe('Ann \ufffdBob');
    expect(visible(`An${ZWJ}${ZWJ}${ZWJ}n`)).toBe(`An${ZWJ}\ufffd\ufffdn`);
    expect(visible(`Bob\u202egpj.exe\u200bx\u200f\u2066`)).toBe('Bob\ufffdgpj.exe\ufffdx\ufffd\ufffd');
    expect(visible('a\u0007b\r\nc\ud800')).toBe('a\ufffdb c\ufffd');
  });

  it('leaves keys to shownKey, which escapes joiners one to one wherever they are', () => {
    expect(shownKey(`70${ZWJ}03`)).toBe('70\\u200d03');
    expect(shownKey(`\u{1f468}${ZWJ}`)).toBe('\u{1f468}\\u200d');
  });
});
