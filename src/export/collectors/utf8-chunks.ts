/** A piece of a response body: text, or its UTF-8 bytes. */
export type BodyPiece = string | Uint8Array;

/** The largest buffer a scrape's text is written into; more text takes another. */
const MAX_CHUNK = 1 << 20;
const MIN_CHUNK = 16 << 10;

/**
 * Text written as UTF-8 into a few large buffers as it is rendered, appended to `out` as pieces
 * a server writes as they are. A scrape at 5,000 participants is 9 MB of text built by `+`:
 * handed over as strings, the server's Content-Length and write flattened and encoded each
 * piece, and the pieces, all alive until then, were copied by the young generation's
 * collections on the way (issue 16). Written here one at a time, each piece's text is garbage
 * at once and its bytes lie outside the heap.
 *
 * `expected` (the bytes of the last such text) sizes the first buffer; one buffer is at most
 * 1 MiB, a text longer than that gets its own.
 */
export class Utf8Chunks {
  private buf: Buffer;
  private at = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(
    private readonly out: BodyPiece[],
    expected: number,
  ) {
    this.buf = Buffer.allocUnsafeSlow(Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, expected)));
  }

  write(text: string): void {
    if (!text) return;
    // At most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2).
    if (this.at + 3 * text.length > this.buf.length) {
      this.flush();
      if (3 * text.length > MAX_CHUNK) {
        const own = Buffer.from(text, 'utf8');
        this.out.push(own);
        this.bytes += own.length;
        return;
      }
      this.buf = Buffer.allocUnsafeSlow(MAX_CHUNK);
    }
    const n = this.buf.write(text, this.at, 'utf8');
    this.at += n;
    this.bytes += n;
  }

  /** Appends what was written since the last piece to `out`. */
  flush(): void {
    if (this.at === 0) return;
    this.out.push(this.buf.subarray(0, this.at));
    this.buf = this.buf.subarray(this.at);
    this.at = 0;
  }
}

/** The text of pieces (bytes as UTF-8). */
export const textOf = (pieces: readonly BodyPiece[]): string =>
  pieces
    .map((p) =>
      typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8'),
    )
    .join('');
