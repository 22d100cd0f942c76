import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

/** What a change of the file shows in: its inode (followed through symlinks), size and times; '' when it is gone. */
function fingerprint(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return '';
  }
}

/** The inode part of a fingerprint. */
const inode = (print: string): string => print.split(':', 2).join(':');

/**
 * Calls `changed` when the file at `path` changes, including across saves that rename a new file
 * over it (`sed -i`, most editors), a delete and re-create, and a swap of a symlink on the way
 * (a Kubernetes ConfigMap's `..data`). `fs.watch` on the path alone stays on the first inode: after
 * one rename-over save it never fires again. So the folder holding the file is watched (it sees
 * renames, deletes and creates), and the file itself (it sees writes to a symlink's target
 * elsewhere), re-armed on the new inode after each swap; an event that leaves the file as it was
 * (another file of the folder) is ignored. Throws when the folder cannot be watched.
 */
export class FileWatch {
  private readonly folder: FSWatcher;
  private file: FSWatcher | undefined;
  private seen: string;

  constructor(
    private readonly path: string,
    private readonly changed: () => void,
  ) {
    this.seen = fingerprint(path);
    this.folder = watch(dirname(path), () => this.check());
    this.folder.on('error', () => undefined);
    this.arm();
  }

  /** Watches the file itself (its current inode), when it is there. */
  private arm(): void {
    this.file?.close();
    this.file = undefined;
    try {
      this.file = watch(this.path, () => this.check());
      this.file.on('error', () => undefined);
    } catch {
      // gone or unreadable: the folder's watch sees it come back
    }
  }

  /** Tells of a change when the file is not as last seen; re-arms the file's watch on a new inode. */
  private check(): void {
    const now = fingerprint(this.path);
    if (now === this.seen) return;
    const moved = inode(now) !== inode(this.seen);
    this.seen = now;
    if (moved) this.arm();
    this.changed();
  }

  /** Stops watching. */
  close(): void {
    this.folder.close();
    this.file?.close();
    this.file = undefined;
  }
}
