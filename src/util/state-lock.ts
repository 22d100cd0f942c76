import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** One qoswatch per state dir: two would double-spend the budget and double-send alerts. */
export class StateDirLockedError extends Error {
  readonly code = 'QW_STATE_LOCKED';
}

/**
 * Takes `dir/qoswatch.lock` for this process. A lock held by a live process on this host makes
 * it throw StateDirLockedError; a lock left by a process that is gone (a crash, a container
 * restarted with the same pid, another host) is taken over. Returns the release function.
 */
export function lockStateDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'qoswatch.lock');
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  try {
    const fd = openSync(file, 'wx');
    writeFileSync(fd, JSON.stringify(me) + '\n');
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner: Partial<LockOwner> = {};
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    } catch {
      // unreadable or half-written: nobody holds it
    }
    if (
      owner.host === me.host &&
      owner.pid !== me.pid &&
      typeof owner.pid === 'number' &&
      processAlive(owner.pid)
    )
      throw new StateDirLockedError(
        `state dir ${dir} is in use by qoswatch pid ${owner.pid} (since ${owner.since}): one instance runs ` +
          `per state dir and Zoom account. Stop that one, or give this one its own state.dir`,
      );
    writeFileSync(file, JSON.stringify(me) + '\n');
  }
  return () => {
    try {
      const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
      if (owner.pid === me.pid && owner.host === me.host) rmSync(file);
    } catch {
      // already gone
    }
  };
}
