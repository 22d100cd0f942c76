import { opendirSync, readlinkSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { makeDir } from '../util/make-dir.js';
import { kindOf } from '../util/regular-file.js';
import { summariesDir, webhooksDir } from '../poll/webhooks/summary-store.js';
import { reportsDir } from '../report/store.js';

/**
 * The entries looked at in each folder the daemon reads (the bound of the start-up check). The
 * folders read at start (the state folder, webhooks/) hold a few dozen files; summaries/ and
 * reports/ one per instance or report, read when asked for: past this many, a FIFO is still
 * refused when read (readRegularFile), only not before start.
 */
const STATE_ENTRIES_CHECKED = 10_000;

/**
 * The folders the daemon reads files from: the state folder, webhooks/ (spool, instance names,
 * event clock, seen buckets), webhooks/summaries/ and reports/. It reads nothing deeper, and
 * none of its files is in another folder.
 */
const readFolders = (dir: string): string[] => [dir, webhooksDir(dir), summariesDir(dir), reportsDir(dir)];

/**
 * Fails with a one-line reason when the state directory cannot be created or written, or holds
 * something other than regular files and folders: a named pipe planted as `alerts.json` or the
 * webhook spool made the daemon wait in open() forever (no /healthz, SIGTERM ignored).
 */
export function checkStateDir(dir: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    makeDir(dir);
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
  for (const folder of readFolders(dir)) {
    const odd = notRegular(folder);
    if (odd)
      throw new Error(
        `state file ${odd.path} is ${odd.kind}; expected a regular file (qoswatch's own state) or none: remove it`,
      );
  }
}

/**
 * The first of the first STATE_ENTRIES_CHECKED entries of `folder` that is neither a regular
 * file nor a folder, symlinks followed as the daemon's reads follow them (`alerts.json` a link to
 * a FIFO, `webhooks/` a link to a folder holding one).
 */
function notRegular(folder: string): { path: string; kind: string } | undefined {
  let dir;
  try {
    dir = opendirSync(folder);
  } catch {
    return undefined; // a folder not there yet, or unreadable: said by whatever reads it
  }
  try {
    for (let n = 0; n < STATE_ENTRIES_CHECKED; n++) {
      const e = dir.readSync();
      if (!e) return undefined;
      const path = join(folder, e.name);
      let st: Stats;
      try {
        st = statSync(path);
      } catch {
        continue; // a dangling or looping link: read as no file
      }
      if (st.isFile() || st.isDirectory()) continue;
      const link = e.isSymbolicLink() ? ` (a symbolic link to ${readlinkSync(path)})` : '';
      return { path: `${path}${link}`, kind: kindOf(st) };
    }
    return undefined;
  } finally {
    dir.closeSync();
  }
}
