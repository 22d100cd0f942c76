import { describe, expect, it } from 'vitest';
import { SentTokens } from '../../src/zoom/hide-tokens.js';

/**
 * Review (stop 39, LOW perf): SentTokens.note runs on every Zoom request and worked out the
 * secrets of the last two headers (regex, base64 decode for Basic) every time. It now keeps them
 * until the header changes: the same tokens as before, the same list while the header is the same.
 */
describe('the tokens of the last two Authorization headers sent', () => {
  const basic = `Basic ${Buffer.from('client-1:s3cret-pass').toString('base64')}`;
  /** The secrets of `basic`: its credential, decoded, and the password. */
  const ofBasic = [basic.slice(6), 'client-1:s3cret-pass', 's3cret-pass'];

  it('are those of the newest header and the one before it, newest first', () => {
    const t = new SentTokens();
    expect(t.note('Bearer tokenAAAA1')).toEqual(['tokenAAAA1']);
    expect(t.note(basic)).toEqual([...ofBasic, 'tokenAAAA1']);
    expect(t.note('Bearer tokenBBBB2')).toEqual(['tokenBBBB2', ...ofBasic]);
    // An older header sent again comes first; the third is dropped.
    expect(t.note(basic)).toEqual([...ofBasic, 'tokenBBBB2']);
    expect(t.note('  rawtokenwithoutscheme ')).toEqual(['rawtokenwithoutscheme', ...ofBasic]);
  });

  it('are worked out once per header: the same list while the header is the same', () => {
    // Old code: a new array on every call.
    const t = new SentTokens();
    const first = t.note('Bearer tokenAAAA1');
    expect(t.note('Bearer tokenAAAA1')).toBe(first);
    const second = t.note(basic);
    expect(second).not.toBe(first);
    expect(t.note(basic)).toBe(second);
    expect(t.note(basic)).toEqual([...ofBasic, 'tokenAAAA1']);
  });
});
