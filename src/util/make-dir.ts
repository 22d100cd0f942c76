import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { linkTrouble, linkTroubleWords, type LinkTrouble } from './link-trouble.js';

/**
 * Why a folder could not be made: the folder, and the system's code (ENOENT, ENOTDIR, EACCES...);
 * for ELOOP also the link that cannot be followed, and whether it loops or only runs long.
 */
export class MakeDirError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    options?: ErrorOptions,
    readonly link?: LinkTrouble,
  ) {
    super(
      link
        ? `cannot make folder ${path}: ${link.at === path ? 'it' : link.at} is ${linkTroubleWords(link)}`
        : `cannot make folder ${path} (${code})`,
      options,
    );
  }
}

/** The MakeDirError for `code` at `path`; for ELOOP, it looks which link and why. */
const refused = (path: string, code: string, cause?: unknown): MakeDirError =>
  new MakeDirError(
    path,
    code,
    cause === undefined ? undefined : { cause },
    code === 'ELOOP' ? linkTrouble(path) : undefined,
  );

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EIO';

/** Whether `path` is a folder now (one made meanwhile by another process counts); else why not (ENOTDIR, ELOOP). */
function notDir(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : 'ENOTDIR';
  } catch (err) {
    return codeOf(err) === 'ELOOP' ? 'ELOOP' : 'ENOTDIR';
  }
}

/** One mkdir: true when made or already a folder, false when its parent is missing; throws otherwise. */
function makeOne(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'EEXIST') {
      const why = notDir(path);
      if (!why) return true;
      throw refused(path, why, err);
    }
    if (code === 'ENOENT') return false;
    throw refused(path, code, err);
  }
}

/**
 * `mkdir -p`: makes `dir` and the folders missing above it, one at a time. Node's
 * `mkdirSync(dir, { recursive: true })` loops for ever (CPU spinning, signals unanswered) when
 * mkdir says ENOENT under a parent that exists, as /proc does (`/proc/qw`); here that, a file
 * in the way (ENOTDIR) or a folder this user cannot write (EACCES, EROFS, EPERM) throws
 * MakeDirError at once, naming the folder that could not be made.
 */
export function makeDir(dir: string): void {
  const path = resolve(dir);
  if (makeOne(path)) return;
  const parent = dirname(path);
  if (parent === path) throw new MakeDirError(path, 'ENOENT');
  makeDir(parent);
  // The parent is a folder now: a second ENOENT means this file system makes none here.
  if (!makeOne(path)) throw new MakeDirError(path, 'ENOENT');
}
