import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeDir } from './make-dir.js';
import { readRegularText } from './regular-file.js';

/** Flushes a directory entry (a rename) to disk. Some file systems cannot; that is not an error. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` so that a reader, a crash or a power cut sees the old file or the new one,
 * never half of one: a temporary file is written and fsynced, renamed over the file, and the
 * directory fsynced so the rename itself is on disk when this returns. Throws when the disk
 * cannot take it (full, read-only); the temporary file is removed then. With `durable` false
 * nothing is fsynced: readers and a killed writer still see a whole file, a power cut may not.
 */
export function writeFileAtomic(file: string, data: string, durable = true): void {
  const dir = dirname(file);
  makeDir(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeFileSync(fd, data);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) fsyncDir(dir);
}

/** Parsed JSON of a file, or undefined when it is missing or unreadable; callers check its shape. State files go through StateFiles, which also sets a corrupt one aside. */
export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readRegularText(file)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Removes the temporary files (`<file>.<pid>.tmp`) that writers killed mid-write left under
 * `dir` and its subfolders, down to `depth` levels. Call it only while holding the state dir's
 * lock: no other writer can then be using them. Returns the paths removed.
 */
export function removeStaleTempFiles(dir: string, depth = 3): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory() && depth > 0) removed.push(...removeStaleTempFiles(path, depth - 1));
    else if (e.isFile() && /\.\d+\.tmp$/.test(e.name) && !e.name.endsWith(`.${process.pid}.tmp`)) {
      rmSync(path, { force: true });
      removed.push(path);
    }
  }
  return removed;
}
