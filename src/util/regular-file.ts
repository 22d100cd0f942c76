import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';

/**
 * Reading a file a setting names without ever blocking on it. A named pipe (FIFO) with no writer
 * made open() wait forever: the daemon stuck at start-up (`client_secret_file:` a FIFO), or on a
 * rule reload (`mkfifo rules/pipe.yaml` under `watch: true`), where even SIGTERM could not stop it.
 * The file is opened without waiting (O_NONBLOCK: no effect on a regular file) and read only when
 * what was opened is a regular file, by fstat of the open descriptor: a swap between a check and
 * the open cannot slip a FIFO, a socket or a device in.
 */

/** A path that names something other than a regular file (a folder keeps its EISDIR). */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(readonly kind: string) {
    super(`${kind}, not a regular file`);
  }
}

/** What a path that is not a regular file is (from its stats or its folder entry). */
export function kindOf(
  st: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>,
): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * A regular file larger than its reader takes (`maxBytes`): found by its size before it is read,
 * or by what was read, had it grown in between. `size` is the larger size seen, in bytes.
 */
export class FileTooBigError extends Error {
  readonly code = 'EFBIG';
  constructor(
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`${size} bytes, over the ${maxBytes} bytes it may have`);
  }
}

/** How a regular file is read: `maxBytes`, the most it may hold (FileTooBigError past it). */
export interface RegularFileOptions {
  maxBytes?: number;
}

/**
 * The bytes of the regular file `path`. Throws NotRegularFileError for anything else, an EISDIR
 * error for a folder, open's own errors (ENOENT, EACCES...), and FileTooBigError for one over
 * `maxBytes` (before it is read, by its size).
 */
export function readRegularFile(path: string, options: RegularFileOptions = {}): Buffer {
  const { maxBytes = Infinity } = options;
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (st.isDirectory())
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    if (!st.isFile()) throw new NotRegularFileError(kindOf(st));
    if (st.size > maxBytes) throw new FileTooBigError(st.size, maxBytes);
    return maxBytes === Infinity ? readFileSync(fd) : readAtMost(fd, maxBytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of the open file `fd`, read a chunk at a time and never more than `maxBytes` + 1 of
 * them: a file that grew past `maxBytes` after its size was checked is refused without being
 * loaded whole (FileTooBigError with its size then).
 */
function readAtMost(fd: number, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - total, 64 * 1024));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > maxBytes) throw new FileTooBigError(Math.max(total, fstatSync(fd).size), maxBytes);
  }
}

/** The text (UTF-8) of the regular file `path`, as readRegularFile reads it. */
export function readRegularText(path: string, options: RegularFileOptions = {}): string {
  return readRegularFile(path, options).toString('utf8');
}

/**
 * The trimmed text of the regular file `path` of at most `maxBytes`, or undefined when it is
 * missing, unreadable, not a regular file or bigger: a secret file's (util/secret-values.ts) or a
 * `*_file` a config snapshot fingerprints (app/config-reread.ts).
 */
export function readSmallText(path: string, maxBytes: number): string | undefined {
  try {
    return readRegularText(path, { maxBytes }).trim();
  } catch {
    return undefined;
  }
}

/** A bound in words: "64 KiB", "1 MiB" (a whole number of KiB or MiB), else "1000 bytes". */
export const sizeText = (n: number): string =>
  n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;

/**
 * A file over its bound, in the one wording every kind of file has (secret, certificate, YAML,
 * state file), its size in bytes, the bound in words: "is 2000000 bytes; expected a certificate
 * file of at most 1 MiB". `file` says what kind of file has that bound: "a secret file".
 */
export const tooBigText = (err: FileTooBigError, file: string): string =>
  `is ${err.size} bytes; expected ${file} of at most ${sizeText(err.maxBytes)}`;

/**
 * What is wrong with the file `name` that could not be read, and what is expected: a setting's
 * problem (`expected` says what the file should hold: "a PEM file"). A file too big is said by
 * tooBigText (`file` says what kind of file has that bound: "a secret file").
 */
export function readFailure(err: unknown, name: string, expected: string, file: string): string {
  if (err instanceof NotRegularFileError)
    return `${name} is ${err.kind}; expected a regular file (${expected})`;
  if (err instanceof FileTooBigError) return `${name} ${tooBigText(err, file)} (${expected})`;
  return `cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected ${expected}`;
}
