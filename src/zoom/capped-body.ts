import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** What `bytesInWords` says of a size: `64 KiB`, `1.5 MiB`, `56.3 MiB`. */
export function bytesInWords(n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}

/**
 * An answer past the most its caller reads (`limit` bytes): by its content-length, on the wire,
 * or once decoded. Its message holds no byte of the answer.
 */
export class AnswerPastCap extends Error {
  readonly code = 'QW_ANSWER_TOO_LARGE';

  constructor(readonly limit: number) {
    super(`the answer is larger than ${bytesInWords(limit)}, the most read of it`);
  }
}

/**
 * An answer qoswatch cannot decode: in a content-encoding it does not read (it asks for gzip or
 * deflate; a proxy or CDN may send another), or whose bytes are not the encoding it names. `why`
 * says which, quoting the encoding's name (cut, escaped) and no byte of the answer.
 */
export class AnswerNotDecoded extends Error {
  readonly code = 'QW_ANSWER_NOT_DECODED';

  constructor(readonly why: string) {
    super(`the answer ${why}`);
  }
}

/**
 * The answer that could not be read, past its cap or not decoded, that `err` is or a failed fetch
 * was caused by (transport.ts wraps it as fetch wraps a socket's error), or undefined: the error
 * is another (a network error, a timeout). Such an answer is not asked for again: each try read
 * it to the cap again and cost a call of the budget, five times (it was taken for a network error).
 */
export function unreadAnswer(err: unknown): AnswerPastCap | AnswerNotDecoded | undefined {
  for (const e of [err, (err as { cause?: unknown } | undefined)?.cause])
    if (e instanceof AnswerPastCap || e instanceof AnswerNotDecoded) return e;
  return undefined;
}

type Headers = Record<string, string | string[] | undefined>;

/** A decoder's own failure: the bytes are not its encoding (a body cut short is Z_BUF_ERROR: not this). */
const notItsEncoding = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code === 'Z_DATA_ERROR' || code.startsWith('ERR__ERROR_FORMAT'));
};

const ignore = (): void => {};

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** One answer's bytes, kept in one buffer when its length is known, else in its chunks. */
class Sink {
  private readonly chunks: Buffer[] = [];
  private whole: Buffer | undefined;
  private size = 0;

  constructor(
    private readonly max: number,
    declared: number | undefined,
  ) {
    if (declared !== undefined) this.whole = Buffer.allocUnsafe(declared);
  }

  /** The error of a chunk that would take the answer past its cap, or undefined: it fits. */
  past(chunk: Buffer): AnswerPastCap | undefined {
    return this.size + chunk.length > this.max ? new AnswerPastCap(this.max) : undefined;
  }

  push(chunk: Buffer): void {
    const past = this.past(chunk);
    if (past) throw past;
    if (this.whole && this.size + chunk.length <= this.whole.length) chunk.copy(this.whole, this.size);
    else {
      // More than it declared (or no length): kept as chunks from here, joined at the end.
      if (this.whole) this.chunks.push(this.whole.subarray(0, this.size));
      this.whole = undefined;
      this.chunks.push(chunk);
    }
    this.size += chunk.length;
  }

  /** The bytes, in one buffer. */
  bytes(): Buffer {
    const bytes = this.whole?.subarray(0, this.size) ?? Buffer.concat(this.chunks.splice(0), this.size);
    this.whole = undefined;
    return bytes;
  }
}

/**
 * Bytes of an answer as UTF-8 text, as fetch's text() gives them (a byte order mark left out).
 * Made only for an answer to be parsed: one refused is judged on its bytes (json-count.ts), and
 * its text (as large again, twice that beyond Latin-1) never made.
 */
export function answerText(bytes: Uint8Array): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8', bom);
}

/**
 * The body's bytes, read to `max` bytes at most, on the wire and once decoded (gzip, deflate,
 * br). An answer whose content-length says more is refused before any of it is read; one that
 * goes past `max` as it is read is refused there. Either way the body is destroyed (its
 * connection closed, the rest never read) and AnswerPastCap thrown: a 40 MB meetings list cost
 * +52 MiB read to the old 32 MiB cap, +21 MiB now (test/bench/answer-memory.bench.ts). An
 * uncompressed body of known length is copied into one buffer as it comes, each chunk dropped
 * once copied. The bytes are not made text here (answerText): an answer refused on its bytes
 * never is (a flat 30 MB answer past its bounds: +135 MiB made text first, +111 MiB not,
 * test/bench/answer-memory.bench.ts).
 */
export async function cappedBytes(body: Readable, headers: Headers, max: number): Promise<Buffer> {
  const length = Number(headers['content-length']);
  const declared = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  const encoding = headers['content-encoding'];
  const coding = typeof encoding === 'string' ? encoding.trim().toLowerCase() : '';
  const identity = coding === '' || coding === 'identity';
  const decoder = identity ? undefined : DECODERS[coding];
  // A body destroyed unread emits an abort 'error' (undici): with no listener, an unhandled
  // 'error' event ended the process (hT43b: an answer in content-encoding zstd).
  body.on('error', ignore);
  if (!identity && !decoder) {
    body.destroy();
    throw new AnswerNotDecoded(
      `is in content-encoding ${JSON.stringify(String(encoding).slice(0, 40))}, which qoswatch does not read (it asks for gzip or deflate)`,
    );
  }
  if ((declared ?? 0) > max) {
    body.destroy();
    throw new AnswerPastCap(max);
  }
  const sink = new Sink(max, identity ? declared : undefined);
  if (decoder) {
    const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of source) sink.push(chunk);
    };
    // A throw in `collect` destroys the body too: undici then closes the connection.
    await pipeline(body, wireCap(max), decoder(), collect).catch((err: unknown) => {
      if (!notItsEncoding(err)) throw err;
      throw new AnswerNotDecoded(`says content-encoding ${coding} and is not: not decoded`);
    });
  } else await drain(body, sink);
  return sink.bytes();
}

/**
 * Each chunk of `body` into `sink` as it comes ('data' events: async iteration reads the stream's
 * buffer joined into one more copy); past the cap, the body destroyed.
 */
function drain(body: Readable, sink: Sink): Promise<void> {
  return new Promise((resolve, reject) => {
    body.on('data', (chunk: Buffer) => {
      const past = sink.past(chunk);
      if (!past) return sink.push(chunk);
      body.destroy();
      reject(past);
    });
    body.once('end', resolve);
    body.once('error', reject);
  });
}

/** The compressed bytes, passed on to `max` at most. */
function wireCap(max: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    let read = 0;
    for await (const chunk of source) {
      read += chunk.length;
      if (read > max) throw new AnswerPastCap(max);
      yield chunk;
    }
  };
}
