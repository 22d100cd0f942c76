/**
 * The answer of a server at a URL someone gave (`inspect --daemon`, a notifier's url, Slack's
 * api_url, `simulate --push-to`, `healthcheck`), read with two bounds: at most a set number of bytes (a server that
 * kept sending drove `inspect --daemon` to ~10 GB of memory), and a redirect is not followed but
 * named, as the notifiers name it (fetch followed one to any host, with the credentials).
 */

/** The most bytes of one answer a command reads: far above any daemon view (a few MB at most). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

const mib = (n: number): string => (n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

/** An answer over the limit: says whose answer and the limit. */
export class AnswerTooLarge extends Error {
  constructor(who: string, max: number) {
    super(`${who} sent an answer larger than ${mib(max)}, the most qoswatch reads: it stopped reading`);
  }
}

/** An answer whose content-length says more than `max`: its body cancelled unread, an AnswerTooLarge thrown. */
async function refuseDeclaredTooLarge(
  res: Response,
  body: ReadableStream,
  who: string,
  max: number,
): Promise<void> {
  // A content-length that is no number (NaN) says nothing: the body is read, and bounded as read.
  if (Number(res.headers.get('content-length')) > max) {
    await body.cancel().catch(() => undefined);
    throw new AnswerTooLarge(who, max);
  }
}

/**
 * The body, read to `max` bytes at most (as fetch gives it: decoded when it came compressed):
 * a larger one (by its content-length, or as read) is an AnswerTooLarge, and the rest is not
 * read (the stream is cancelled, its connection closed).
 */
export async function readAtMost(res: Response, who: string, max = MAX_ANSWER_BYTES): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  await refuseDeclaredTooLarge(res, res.body, who, max);
  const chunks: Uint8Array[] = [];
  let read = 0;
  // Leaving the loop by a throw cancels the stream.
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    read += chunk.byteLength;
    if (read > max) throw new AnswerTooLarge(who, max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A fetch for a client that reads its answers itself (@slack/web-api reads each whole with
 * text()): its answers' bodies end in an AnswerTooLarge error once past `max` bytes (as fetch
 * gives them: decoded when they came compressed), the rest not read (the stream is cancelled,
 * its connection closed); an answer whose content-length says more is one before any is read.
 */
export function boundedFetch(who: string, max: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    await refuseDeclaredTooLarge(res, res.body, who, max);
    let read = 0;
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          read += chunk.byteLength;
          if (read > max) out.error(new AnswerTooLarge(who, max));
          else out.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** The body read and dropped, to `max` bytes; a larger one is cut off (its connection closed). */
export async function dropAnswer(res: Response, max = MAX_ANSWER_BYTES): Promise<void> {
  await readAtMost(res, '', max).catch(() => undefined);
}

/**
 * Where a redirect points, in words that name its origin only, never its path or query (they may
 * hold a token): "a redirect to https://example.com", or "a redirect without a usable Location".
 */
export function redirectTarget(location: string | null | undefined, base: string | URL): string {
  if (typeof location !== 'string' || !URL.canParse(location, String(base)))
    return 'a redirect without a usable Location';
  const target = new URL(location, base);
  return `a redirect to ${target.origin === 'null' ? `a ${target.protocol} URL` : target.origin}`;
}

/** Whether a status is a redirect (fetch's 'manual' gives it as it is). */
export const isRedirect = (status: number): boolean => status >= 300 && status < 400;
