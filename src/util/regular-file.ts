import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

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
 * The bytes of the regular file `path`; `check` sees its stats before it is read (to refuse one
 * too big). Throws NotRegularFileError for anything else, an EISDIR error for a folder, and
 * open's own errors (ENOENT, EACCES...).
 */
export function readRegularFile(path: string, check?: (st: Stats) => void): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (st.isDirectory())
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    if (!st.isFile()) throw new NotRegularFileError(kindOf(st));
    check?.(st);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The trimmed text of the regular file `path` of at most `maxBytes`, or undefined when it is
 * missing, unreadable, not a regular file or bigger: a secret file's (util/secret-values.ts) or a
 * `*_file` a config snapshot fingerprints (app/config-reread.ts).
 */
export function readSmallText(path: string, maxBytes: number): string | undefined {
  try {
    const bytes = readRegularFile(path, (st) => {
      if (st.size > maxBytes) throw new Error('too big');
    });
    return bytes.toString('utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with the file `name` that could not be read, and what is expected: a setting's
 * problem (`expected` says what the file should hold: "a PEM file").
 */
export function readFailure(err: unknown, name: string, expected: string): string {
  if (err instanceof NotRegularFileError)
    return `${name} is ${err.kind}; expected a regular file (${expected})`;
  return `cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected ${expected}`;
}
