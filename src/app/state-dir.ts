import { mkdirSync, readdirSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { kindOf } from '../util/regular-file.js';

/** How deep the state dir's folders are looked into for files that are not regular (webhooks/, reports/...). */
const STATE_DEPTH = 3;

/**
 * Fails with a one-line reason when the state directory cannot be created or written, or holds
 * something other than regular files and folders: a named pipe planted as `alerts.json` or the
 * webhook spool made the daemon wait in open() forever (no /healthz, SIGTERM ignored).
 */
export function checkStateDir(dir: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `state.dir ${dir} is not a writable directory (${code}); expected one qoswatch can write`,
      {
        cause: err,
      },
    );
  }
  const odd = notRegular(dir, STATE_DEPTH);
  if (odd)
    throw new Error(
      `state file ${odd.path} is ${odd.kind}; expected a regular file (qoswatch's own state) or none: remove it`,
    );
}

/** The first entry under `dir` (folders `depth` deep) that is neither a regular file, a folder nor a symlink. */
function notRegular(dir: string, depth: number): { path: string; kind: string } | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined; // unreadable folders are reported by whatever reads them
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      const odd = depth > 1 ? notRegular(path, depth - 1) : undefined;
      if (odd) return odd;
    } else if (!e.isFile() && !e.isSymbolicLink()) return { path, kind: kindOf(e) };
  }
  return undefined;
}
