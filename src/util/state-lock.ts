import { openSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { makeDir } from './make-dir.js';
import { readRegularText } from './regular-file.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';
import { bootId, processStartedAtMs, processStartTicks } from './process-start.js';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
  /** The owner's start time in clock ticks since boot (/proc/<pid>/stat field 22), where /proc exists. */
  start?: string;
  /** The boot the owner ran in (/proc/sys/kernel/random/boot_id), where /proc exists. */
  boot?: string;
}

/** One qoswatch per state dir: two would double-spend the budget and double-send alerts. */
export class StateDirLockedError extends Error {
  readonly code = 'QW_STATE_LOCKED';
}

/** How far a lock's `since` may come before its owner's start time (clocks read at different instants). */
const START_SLACK_MS = 5_000;

/** The lock's owner as written, or undefined when it is not a lock qoswatch writes (half-written, edited). */
function readOwner(file: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readRegularText(file)) as Partial<LockOwner>;
    const ok =
      Number.isInteger(o.pid) &&
      typeof o.host === 'string' &&
      typeof o.since === 'string' &&
      !Number.isNaN(Date.parse(o.since)) &&
      (o.start === undefined || typeof o.start === 'string') &&
      (o.boot === undefined || typeof o.boot === 'string');
    return ok ? (o as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's owner is still the qoswatch that wrote it. Not when it is of another host,
 * this very process (a container restarted with the same pid), a pid now gone, of another boot,
 * or a pid now held by a process that started at another time than the one recorded (a pid
 * reused after a crash). A lock without a start time (written by an older qoswatch) is held
 * only if its pid's process started before the lock's `since`. Without /proc (not Linux), a live
 * pid holds it.
 */
function ownerRuns(owner: LockOwner, me: LockOwner): boolean {
  if (owner.host !== me.host || owner.pid === me.pid || !processAlive(owner.pid)) return false;
  if (owner.boot !== undefined && me.boot !== undefined && owner.boot !== me.boot) return false;
  const start = processStartTicks(owner.pid);
  if (start === undefined) return true;
  if (owner.start !== undefined) return owner.start === start;
  const startedAt = processStartedAtMs(owner.pid);
  return startedAt === undefined || startedAt <= Date.parse(owner.since) + START_SLACK_MS;
}

/**
 * Takes `dir/qoswatch.lock` for this process. A lock held by the qoswatch process that wrote it
 * (same host, boot, pid and start time) makes it throw StateDirLockedError; any other lock (its
 * process gone or its pid reused, another host or boot, unreadable) is taken over. Returns the
 * release function.
 */
export function lockStateDir(dir: string): () => void {
  makeDir(dir);
  const file = join(dir, 'qoswatch.lock');
  const start = processStartTicks(process.pid);
  const boot = bootId();
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(start !== undefined ? { start } : {}),
    ...(boot !== undefined ? { boot } : {}),
  };
  try {
    const fd = openSync(file, 'wx');
    writeFileSync(fd, JSON.stringify(me) + '\n');
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = readOwner(file);
    if (owner && ownerRuns(owner, me))
      throw new StateDirLockedError(
        `state dir ${dir} is in use by qoswatch pid ${owner.pid} (since ${owner.since}): one instance runs ` +
          `per state dir and Zoom account. Stop that one, or give this one its own state.dir`,
      );
    writeFileSync(file, JSON.stringify(me) + '\n');
  }
  return () => {
    try {
      const owner = readOwner(file);
      if (owner?.pid === me.pid && owner.host === me.host) rmSync(file);
    } catch {
      // already gone
    }
  };
}
