import { join } from 'node:path';
import { isJsonObject } from '../../util/json-object.js';
import { entryCheck, TIME, validEntries, type StateCheck, type StateFiles } from '../../util/state-files.js';
import type { ParticipantPush, PushPaths } from './push-paths.js';

/** Participants remembered; past it the least recently pushed go first. */
const MAX_PUSHES = 100_000;

/** `state.dir/webhooks/pushed.json`. */
interface PushedFile {
  version: 1;
  pushes: ParticipantPush[];
}

const checkEntry = entryCheck({
  type: 'object',
  required: ['instance', 'participant', 'at'],
  properties: {
    instance: { type: 'string', minLength: 1 },
    participant: { type: 'string', minLength: 1 },
    at: TIME,
  },
});

/** Keeps the entries that are whole (their known fields only); anything else is discarded and named. */
const checkPushed: StateCheck<PushedFile> = (raw) => {
  if (!isJsonObject(raw) || raw.version !== 1 || !Array.isArray(raw.pushes))
    return { error: 'it is not a version 1 pushed-participants file' };
  const discarded: string[] = [];
  const pushes = validEntries<ParticipantPush>(
    'pushes',
    raw.pushes.slice(0, MAX_PUSHES),
    checkEntry,
    discarded,
  ).map(({ instance, participant, at }) => ({ instance, participant, at }));
  if (raw.pushes.length > MAX_PUSHES)
    discarded.push(`${raw.pushes.length - MAX_PUSHES} entries past ${MAX_PUSHES}`);
  return { value: { version: 1, pushes }, discarded };
};

/** What of the push paths is saved and restored here. */
export type PushMemory = Pick<PushPaths, 'generation' | 'pushesSince' | 'restorePushes'>;

/**
 * How many bytes of pushed.json may be written a second, on average: the file is written whole,
 * so the next write waits its size at this rate (at least the spool's second). At its bound
 * (MAX_PUSHES, about 7.8 MB) rewriting it each second while pushes changed it wrote about 7.8
 * MB/s, fsynced; at this rate one write each ~30 s. 5,000 participants (about 390 KB): one each
 * ~2 s, the spool asking each second (test/bench/pushed-presence.bench.ts).
 */
export const PUSHED_BYTES_PER_SECOND = 256 * 1024;

/** What save() did: written (true), could not be written (false), or not yet: due in that many ms. */
export type SaveResult = boolean | number;

/**
 * When each participant was last pushed (PushPaths), kept across restarts in
 * `state.dir/webhooks/pushed.json`, so that the first polls after a restart, like those before
 * it, do not take a participant pushed within `gap_tolerance` as gone because Zoom's QoS list
 * leaves them out (their alerts would resolve as `left` and fire again at their next push).
 * Written (atomic and fsynced, through StateFiles) before the spool's done offset, so whatever
 * a restart does not hand on again has its push times on disk, and only when they changed;
 * whole, so the next write waits for the last one's size at PUSHED_BYTES_PER_SECOND (on
 * `pace`, a monotonic real-time clock: this only paces disk writes) and the spool's done offset
 * with it (the records since are handed on again after a crash, as within the spool's second).
 * Read back without those older than `keepMs` (`gap_tolerance`, or `takeover_after` if
 * longer), one dated ahead of this machine's clock taken as pushed now.
 * Bounded: MAX_PUSHES, the least recently pushed dropped first. A file of an older version is
 * absent: nothing is restored, as before it.
 *
 * A write that fails holds the spool's done offset (StateFiles counts it in
 * `qoswatch_state_write_failures_total{file="pushed.json"}`), and is tried again here at the
 * same pace (a failed attempt waits the size it tried to write; StateFiles.retry() leaves it
 * alone). Logged once per reason (its error code) until a write succeeds again. A lasting one
 * (the file made a folder, a permission) holds the offset only for the records of the last
 * `keepMs`: older pushes cannot change what a restart restores, so the spool releases them
 * (Spool.releaseAfter) and stays bounded; the last `keepMs` of records are handed on again at a
 * restart, which restores those pushes. A full disk stops the spool's own writes too (requests
 * are refused, Zoom sends them again).
 */
export class PushedPresence {
  private readonly file: string;
  /** The push paths' generation when last written (or read). */
  private written = -1;
  /** When (on `pace`) the next write may be made. */
  private nextAt = -Infinity;
  /** The reasons of failed writes already logged. */
  private readonly failedWhy = new Set<string>();

  constructor(
    dir: string,
    private readonly files: StateFiles,
    private readonly keepMs: number,
    private readonly pace: () => number = () => performance.now(),
  ) {
    this.file = join(dir, 'pushed.json');
    files.retriedByWriter(this.file);
  }

  /** Restores the pushes still within `keepMs` of `now` into `paths`; how many. */
  load(paths: PushMemory, now: number): number {
    const saved = this.files.read(this.file, checkPushed)?.pushes ?? [];
    // A time ahead of ours (the clock was set back) counts as now, never as later.
    const kept = saved
      .filter((p) => now - p.at <= this.keepMs)
      .map((p) => ({ ...p, at: Math.min(p.at, now) }));
    paths.restorePushes(kept);
    this.written = paths.generation;
    return kept.length;
  }

  /**
   * Writes the pushes within `keepMs` of `now` if they changed and the last write's pace allows
   * (`final`: at once, the spool is closing): true when they are on disk, false when they could
   * not be written, else the ms until they may be.
   */
  save(paths: PushMemory, now: number, final = false): SaveResult {
    if (paths.generation === this.written) return true;
    const wait = this.nextAt - this.pace();
    if (wait > 0 && !final) return Math.ceil(wait);
    const pushes = paths.pushesSince(now - this.keepMs);
    const generation = paths.generation;
    if (pushes.length > MAX_PUSHES) pushes.sort((a, b) => b.at - a.at).length = MAX_PUSHES;
    const data: PushedFile = { version: 1, pushes };
    const text = JSON.stringify(data) + '\n';
    const ok = this.files.write(this.file, text);
    // Failed or not, the attempt wrote (and fsynced) the whole text: the next one waits its size.
    this.nextAt = this.pace() + (text.length / PUSHED_BYTES_PER_SECOND) * 1000;
    if (!ok) {
      this.failed();
      return false;
    }
    this.written = generation;
    this.failedWhy.clear();
    return true;
  }

  private failed(): void {
    const reason = this.files.failureCode(this.file) ?? 'unknown';
    if (this.failedWhy.has(reason)) return;
    this.failedWhy.add(reason);
    this.files.log.error(
      { file: this.file, reason },
      `the webhook spool's done offset waits for ${this.file}, which cannot be written (${reason}): until it can, the events of the last ${Math.round(this.keepMs / 1000)} s (the push times a restart restores) are handed on again at each restart; older ones are released, so the spool stays bounded`,
    );
  }
}
