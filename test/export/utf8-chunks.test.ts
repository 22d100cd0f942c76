import { describe, expect, it } from 'vitest';
import { type BodyPiece, textOf, Utf8Chunks } from '../../src/export/collectors/utf8-chunks.js';

const bytesOf = (pieces: readonly BodyPiece[]): Buffer =>
  Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

describe('text written as UTF-8 chunks', () => {
  it('gives the bytes of the text in order, across buffers, whatever its characters', () => {
    // Short and long texts, ASCII and not (2, 3 and 4 bytes a character), past the first
    // buffer's 16 KiB and one of 1 MiB, and one text longer than a buffer on its own.
    const texts = [
      'a{b="c"} 1\n',
      '',
      'é'.repeat(9_000),
      '€ 😀 x\n',
      'z'.repeat(700_000),
      '😀'.repeat(200_000),
      'q'.repeat(400_000),
      'tail\n',
    ];
    const out: BodyPiece[] = ['head\n'];
    const chunks = new Utf8Chunks(out, 0);
    for (const t of texts) chunks.write(t);
    chunks.flush();
    const whole = `head\n${texts.join('')}`;
    expect(bytesOf(out).equals(Buffer.from(whole, 'utf8'))).toBe(true);
    expect(chunks.bytes).toBe(Buffer.byteLength(texts.join(''), 'utf8'));
    expect(textOf(out)).toBe(whole);
    expect(out.length).toBeGreaterThan(3);
    expect(out.some((p) => typeof p !== 'string' && p.length === 0)).toBe(false);
  });

  it('writes nothing for no text', () => {
    const out: BodyPiece[] = [];
    const chunks = new Utf8Chunks(out, 100);
    chunks.write('');
    chunks.flush();
    expect(out).toEqual([]);
    expect(textOf(out)).toBe('');
  });
});
