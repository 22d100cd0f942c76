import { join } from 'node:path';
import { type StateCheck, type StateFiles } from '../../util/state-files.js';
import { isJsonObject } from '../../util/json-object.js';
import { MAX_SKEW_MS } from './event-clock.js';

/** `state.dir/webhooks/event-clock.json`: each `follow` app's skew (ms) when last saved. */
interface SkewFile {
  version: 1;
  skews: Record<string, number>;
}

/** A skew is saved again once it has moved this far from the saved one (or was adopted). */
const SAVE_STEP_MS = 10_000;

/** Keeps the skews that are plausible; anything else is discarded and named. */
const checkSkews: StateCheck<SkewFile> = (raw) => {
  if (!isJsonObject(raw) || raw.version !== 1 || !isJsonObject(raw.skews))
    return { error: 'it is not a version 1 event clock file' };
  const skews: Record<string, number> = {};
  const discarded: string[] = [];
  for (const [app, v] of Object.entries(raw.skews)) {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_SKEW_MS) skews[app] = v;
    else discarded.push(`${app}: not a skew in ms`);
  }
  return { value: { version: 1, skews }, discarded };
};

/**
 * The skews of `follow` apps (event-clock.ts) kept across restarts, so that a daemon restarted
 * under a running `qoswatch simulate --speed N` takes its pushes at once instead of refusing
 * them until the skew is adopted again. Written (atomic, through StateFiles) when a skew has
 * moved SAVE_STEP_MS since the last write, when one is adopted, and at stop: after a SIGKILL
 * the saved skew is behind the sender's by at most that plus what the sender ran on meanwhile,
 * within the 5 minutes an event may be off the skew and still be followed.
 */
export class SkewStore {
  private readonly file: string;
  /** The skews as the file last held them (written or read). */
  private written: Record<string, number>;
  private readonly current: Record<string, number>;

  constructor(
    dir: string,
    private readonly files: StateFiles,
  ) {
    this.file = join(dir, 'event-clock.json');
    this.written = files.read(this.file, checkSkews)?.skews ?? {};
    this.current = { ...this.written };
  }

  /** The skew saved for `app` before this start (0 if none). */
  skew(app: string): number {
    return this.current[app] ?? 0;
  }

  /** `app`'s skew is now `skew`: written when it moved SAVE_STEP_MS from the file's, or `force`. */
  update(app: string, skew: number, force = false): void {
    this.current[app] = skew;
    const was = this.written[app];
    if (force || was === undefined || Math.abs(skew - was) >= SAVE_STEP_MS) this.save(false);
  }

  /** Writes the skews (durably at stop); false when they could not be written. */
  save(durable = true): boolean {
    if (!Object.keys(this.current).length) return true;
    const data: SkewFile = { version: 1, skews: this.current };
    const ok = this.files.write(this.file, JSON.stringify(data) + '\n', durable);
    if (ok) this.written = { ...this.current };
    return ok;
  }
}
