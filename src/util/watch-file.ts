import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * What a change of the file shows in: its inode (followed through symlinks), size and times; a
 * folder's inode alone (its own watch tells of changes inside); '' when it is gone.
 */
function fingerprint(path: string, folder: boolean): string {
  try {
    const s = statSync(path, { bigint: true });
    return folder ? `${s.dev}:${s.ino}` : `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
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
 *
 * With `isFolder`, `path` is a folder (rules.paths naming one): the same holds of it (watched
 * through the folder above it, re-armed when it is renamed over, deleted and re-created, or
 * its symlink swapped), and every event of its own watch (a file in it written, added,
 * removed) is told of.
 */
export class FileWatch {
  private readonly parent: FSWatcher;
  private file: FSWatcher | undefined;
  private seen: string;

  constructor(
    private readonly path: string,
    private readonly changed: () => void,
    private readonly isFolder = false,
  ) {
    this.seen = fingerprint(path, isFolder);
    this.parent = watch(dirname(path), (_event, name) =>
      isFolder && (name === null || name === basename(path)) ? this.replaced() : this.check(),
    );
    this.parent.on('error', () => undefined);
    this.arm();
  }

  /** Watches the file itself (its current inode), when it is there. */
  private arm(): void {
    this.file?.close();
    this.file = undefined;
    try {
      this.file = watch(this.path, () => (this.isFolder ? this.inside() : this.check()));
      this.file.on('error', () => undefined);
    } catch {
      // gone or unreadable: the folder's watch sees it come back
    }
  }

  /** Tells of a change when the file is not as last seen; re-arms the file's watch on a new inode. */
  private check(): void {
    const now = fingerprint(this.path, this.isFolder);
    if (now === this.seen) return;
    const moved = inode(now) !== inode(this.seen);
    this.seen = now;
    if (moved) this.arm();
    this.changed();
  }

  /**
   * The watched folder itself renamed, deleted or made: its watch is armed again whatever its
   * inode (a folder deleted and made again often gets the same inode number back), and told of.
   */
  private replaced(): void {
    this.seen = fingerprint(this.path, true);
    this.arm();
    this.changed();
  }

  /** A change inside the watched folder: told of, after a check that the folder is still the one watched. */
  private inside(): void {
    if (fingerprint(this.path, true) === this.seen) this.changed();
    else this.check();
  }

  /** Stops watching. */
  close(): void {
    this.parent.close();
    this.file?.close();
    this.file = undefined;
  }
}
