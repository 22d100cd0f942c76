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
 * When each participant was last pushed (PushPaths), kept across restarts in
 * `state.dir/webhooks/pushed.json`, so that the first polls after a restart, like those before
 * it, do not take a participant pushed within `gap_tolerance` as gone because Zoom's QoS list
 * leaves them out (their alerts would resolve as `left` and fire again at their next push).
 * Written (atomic and fsynced, through StateFiles) before the spool's done offset, so whatever
 * a restart does not hand on again has its push times on disk, and only when they changed
 * (at most once a second, as the offset); read back without those older than `keepMs`
 * (`gap_tolerance`, or `takeover_after` if longer), one dated ahead of this machine's clock
 * taken as pushed now.
 * Bounded: MAX_PUSHES, the least recently pushed dropped first. A file of an older version is
 * absent: nothing is restored, as before it.
 */
export class PushedPresence {
  private readonly file: string;
  /** The push paths' generation when last written (or read). */
  private written = -1;

  constructor(
    dir: string,
    private readonly files: StateFiles,
    private readonly keepMs: number,
  ) {
    this.file = join(dir, 'pushed.json');
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

  /** Writes the pushes within `keepMs` of `now` if they changed; false when they could not be written. */
  save(paths: PushMemory, now: number): boolean {
    if (paths.generation === this.written) return true;
    const pushes = paths.pushesSince(now - this.keepMs);
    const generation = paths.generation;
    if (pushes.length > MAX_PUSHES) pushes.sort((a, b) => b.at - a.at).length = MAX_PUSHES;
    const data: PushedFile = { version: 1, pushes };
    const ok = this.files.write(this.file, JSON.stringify(data) + '\n');
    if (ok) this.written = generation;
    return ok;
  }
}
