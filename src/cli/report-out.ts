import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './args.js';

/** Why a file cannot be written, in words, by the error's code; else its own message. */
const WHY: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'not permitted to write there',
  EPERM: 'not permitted to write there',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space is left on the disk',
};

const said = (path: string, why: string): string =>
  `--out ${JSON.stringify(path)}: ${why}; expected a file to write in an existing folder`;

/**
 * `--out` checked before the report is made (its API calls spent): its folder must be one, and
 * the path must not be a folder. A usage error (exit 2) when not. Whether it may be written is
 * known only by writing it (writeOut).
 */
export function checkOut(path: string): void {
  if (path === '') throw new UsageError(said(path, 'no path given'));
  let why: string | undefined;
  try {
    if (!statSync(dirname(path)).isDirectory()) why = WHY.ENOTDIR;
    else if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) why = WHY.EISDIR;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    why = WHY[code] ?? (err as Error).message;
  }
  if (why) throw new UsageError(said(path, why));
}

/** Writes the report to `--out`; what stops it is said in words, with the path (exit 1). */
export function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new Error(`${said(path, WHY[code] ?? (err as Error).message)}; the report was not written`, {
      cause: err,
    });
  }
}
