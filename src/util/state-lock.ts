import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

const lockedError = (dir: string, owner: LockOwner, what: string): StateDirLockedError =>
  new StateDirLockedError(
    `state dir ${dir} ${what} qoswatch pid ${owner.pid} (since ${owner.since}): one instance runs ` +
      `per state dir and Zoom account. Stop that one, or give this one its own state.dir`,
  );

/** One qoswatch per state dir: two would double-spend the budget and double-send alerts. */
export class StateDirLockedError extends Error {
  readonly code = 'QW_STATE_LOCKED';
}

/** How far a lock's `since` may come before its owner's start time (clocks read at different instants). */
const START_SLACK_MS = 5_000;

const LOCK = 'qoswatch.lock';
/**
 * A takeover's claim older than this is swept. A start stalled longer between reading a stale
 * lock and claiming it may find the claims on that lock swept and make a new one: harmless, as
 * it renames only if the lock is still the text it read (lockStateDir), and while a text is the
 * lock no sweep has run since (a sweep follows a start writing its own lock, another text).
 * A start's own record (`.new`) swept while it stalls makes that start fail (ENOENT), not take.
 */
const CLAIM_KEPT_MS = 60_000;
/** How long a start waits for another one that is taking over the same stale lock. */
const TAKEOVER_WAIT_MS = 5_000;

/** How long a start waiting for another one's takeover sleeps between two reads of the lock. */
const TAKEOVER_POLL_MS = 10;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` without spinning (lockStateDir is synchronous: no timer to await). */
const pause = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);

/** link(2)'s answers on a file system without hard links (SMB shares such as Azure Files, some FUSE). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Makes `to` a name of `from`'s record, failing with EEXIST when `to` exists. Where the file
 * system has no hard links, `to` is created exclusively and written (O_EXCL): still one of two
 * starts makes it, but another may read it half-written in between (the atomicity lockStateDir
 * promises then holds only as far as the file system allows).
 */
function linkExclusive(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (err) {
    if (!NO_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    writeFileSync(to, readFileSync(from), { flag: 'wx' });
  }
}

/** The lock's owner as written, or undefined when it is not a lock qoswatch writes (edited, damaged). */
function readOwner(file: string): LockOwner | undefined {
  const text = readText(file);
  return text === undefined ? undefined : ownerIn(text);
}

/** A file's text; undefined when it is gone (or cannot be read: taken as empty by ownerIn). */
function readText(file: string): string | undefined {
  try {
    return readRegularText(file);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : '';
  }
}

function ownerIn(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
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
 * Claims the takeover of the stale lock whose text is `text`: `claim` (this process's record,
 * written whole) is linked as `qoswatch.lock.<hash of text>.took`, which exists once (O_EXCL, as
 * link is): of two starts that read the same stale lock, one makes it, the other finds it and
 * waits for that one's lock. Returns the claim's path when this process has it, else the owner of
 * the claim, running. A claim whose owner died before it wrote the lock is itself stale: the next
 * claim is named by both texts, so that again one start makes it.
 */
function claimTakeover(dir: string, text: string, claim: string, me: LockOwner): string | LockOwner {
  let basis = text;
  for (;;) {
    const name = join(dir, `${LOCK}.${createHash('sha256').update(basis).digest('hex').slice(0, 32)}.took`);
    try {
      linkExclusive(claim, name);
      return name;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const other = readText(name) ?? '';
    const taker = ownerIn(other);
    if (taker && ownerRuns(taker, me)) return taker;
    basis += `\n${other}`;
  }
}

/** Claims and this process's unused records left by starts that died, once older than CLAIM_KEPT_MS. */
function sweep(dir: string): void {
  const before = Date.now() - CLAIM_KEPT_MS;
  for (const name of readdirSync(dir))
    if (name.startsWith(`${LOCK}.`) && (name.endsWith('.took') || name.endsWith('.new')))
      try {
        if (statSync(join(dir, name)).mtimeMs < before) rmSync(join(dir, name), { force: true });
      } catch {
        // gone meanwhile
      }
}

/**
 * Takes `dir/qoswatch.lock` for this process. A lock held by the qoswatch process that wrote it
 * (same host, boot, pid and start time) makes it throw StateDirLockedError; any other lock (its
 * process gone or its pid reused, another host or boot, unreadable) is taken over. Returns the
 * release function.
 *
 * Atomic: the record is written whole to a file of its own first, then linked as the lock when
 * there is none (a start never reads a half-written lock and takes it for a damaged one), or,
 * taking over, renamed over it once this start has the takeover's claim (claimTakeover): two
 * starts that both judged the same lock stale cannot both take it over (hT45: it was read, then
 * written). `judgedStale` is called after a lock was judged not held and before it is claimed:
 * tests hold two starts there to race them.
 */
export function lockStateDir(dir: string, judgedStale?: () => void): () => void {
  makeDir(dir);
  const file = join(dir, LOCK);
  const start = processStartTicks(process.pid);
  const boot = bootId();
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(start !== undefined ? { start } : {}),
    ...(boot !== undefined ? { boot } : {}),
  };
  // Random: two containers sharing the dir may both be pid 1.
  const mine = join(dir, `${LOCK}.${process.pid}-${randomBytes(6).toString('hex')}.new`);
  writeFileSync(mine, JSON.stringify(me) + '\n', { flag: 'wx' });
  try {
    const until = Date.now() + TAKEOVER_WAIT_MS;
    for (;;) {
      try {
        linkExclusive(mine, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const text = readText(file);
      if (text === undefined) continue; // released meanwhile: link again
      const owner = ownerIn(text);
      if (owner && ownerRuns(owner, me)) throw lockedError(dir, owner, 'is in use by');
      judgedStale?.();
      const taker = claimTakeover(dir, text, mine, me);
      if (typeof taker === 'string') {
        // The claim was made now, but the lock judged stale was read before: a start stalled
        // in between (descheduled, SIGSTOP, a paused VM) can claim a lock that was taken over
        // and released or taken over again meanwhile, whose claims were made by others (their
        // owners gone, so this claim is the next one) or swept; renaming then would replace a
        // live lock (hT45b). So rename only while the lock is still the text judged stale, else
        // give the claim up and judge the lock now there.
        if (readText(file) !== text) {
          rmSync(taker, { force: true });
          continue;
        }
        // What remains is the read just made and the rename: the lock can change in between only
        // by a start holding another claim on this same text, or by the stale owner releasing it.
        // Neither happens: the claims on one text form one chain (each made only once the one
        // before names a process not running, and none is swept while that text is the lock:
        // sweep runs right after a start wrote its own lock, which is then another text), so
        // this start holds the one claim whose owner runs; and an owner judged not running does
        // not release. Only an owner taken for gone that in fact runs (on another host sharing
        // the dir: such locks and claims are taken over outright, never guarded) or, without
        // hard links, a claim read half-written (taken as a dead owner's) make two takers.
        renameSync(mine, file);
        break;
      }
      // Another start has the claim and is writing its lock: read again, a few ms apart, until it has.
      if (Date.now() > until) throw lockedError(dir, taker, 'is being taken over by');
      pause(TAKEOVER_POLL_MS);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  sweep(dir);
  return () => {
    try {
      const owner = readOwner(file);
      if (owner?.pid === me.pid && owner.host === me.host) rmSync(file);
    } catch {
      // already gone
    }
  };
}
