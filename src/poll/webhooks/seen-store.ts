import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type StateCheck, type StateFiles } from '../../util/state-files.js';
import { isJsonObject } from '../../util/json-object.js';
import { BUCKET_MS, type ReplayGuard } from './replay-guard.js';

/** A saved bucket: the digests of the signatures and bodies accepted in it. */
interface SeenFile {
  version: 1;
  start: number;
  sigs: string[];
  bodies: string[];
}

const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const FILE = /^seen-(\d{1,16})\.json$/;

/**
 * Keeps the digests that look like ours, the first `maxEntries` of a list; anything else in the
 * file is discarded and named: entries that are not digests, digests over the bound.
 */
function checkSeen(start: number, maxEntries: number): StateCheck<SeenFile> {
  return (raw) => {
    if (!isJsonObject(raw) || raw.version !== 1) return { error: 'it is not a version 1 seen-requests file' };
    if (raw.start !== start) return { error: `it says it holds bucket ${String(raw.start)}, not ${start}` };
    const discarded: string[] = [];
    const keys = (what: 'sigs' | 'bodies'): string[] => {
      const v = raw[what];
      if (!Array.isArray(v)) {
        discarded.push(`${what}: not a list`);
        return [];
      }
      const digests = v.filter((k): k is string => typeof k === 'string' && KEY.test(k));
      const ok = digests.slice(0, maxEntries);
      // Not digests, and digests past the size bound (kept: the first maxEntries): each its own words.
      const bad = v.length - digests.length;
      const over = digests.length - ok.length;
      const words = [
        ...(bad ? [bad === 1 ? '1 entry that is not a digest' : `${bad} entries that are not digests`] : []),
        ...(over
          ? [`${over} ${over === 1 ? 'digest' : 'digests'} past the bound of ${maxEntries} a list`]
          : []),
      ];
      if (words.length) discarded.push(`${what}: ${words.join(', ')}`);
      return ok;
    };
    return { value: { version: 1, start, sigs: keys('sigs'), bodies: keys('bodies') }, discarded };
  };
}

/**
 * The replay guard's memory on disk, so that a restart still recognises a replayed request or
 * Zoom's redelivery of an event acknowledged before it: one file per bucket
 * (`state.dir/webhooks/seen-<start ms>.json`), written through StateFiles (atomic, fsynced,
 * checked on load). Only buckets that changed are written; those past the redelivery window
 * are deleted. The spool holds every request accepted since the last save, so save() runs
 * before the spool is emptied and at stop, and a start loads the files and then the spool.
 */
export class SeenStore {
  constructor(
    private readonly dir: string,
    private readonly files: StateFiles,
    private readonly maxEntries = 1_000_000,
  ) {}

  private file(start: number): string {
    return join(this.dir, `seen-${start}.json`);
  }

  private list(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .map((n) => FILE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .filter((s) => s % BUCKET_MS === 0)
      .sort((a, b) => a - b);
  }

  /** Loads the saved buckets still inside the window into `guard`; deletes older ones. */
  load(guard: ReplayGuard, now: number): number {
    let loaded = 0;
    for (const start of this.list()) {
      if (start < guard.oldestKept(now)) {
        rmSync(this.file(start), { force: true });
        continue;
      }
      const saved = this.files.read(this.file(start), checkSeen(start, this.maxEntries));
      if (!saved) continue;
      // Entries are dated at the bucket's end (never later than now): kept a little longer, never shorter.
      const at = Math.min(start + BUCKET_MS - 1, now);
      const n = Math.max(saved.sigs.length, saved.bodies.length);
      for (let i = 0; i < n; i++)
        guard.remember({ sig: saved.sigs[i] ?? '', body: saved.bodies[i] ?? '' }, at, false);
      loaded += saved.bodies.length;
    }
    return loaded;
  }

  /** Writes the buckets that changed. False when one could not be written (it is kept dirty). */
  save(guard: ReplayGuard, now: number): boolean {
    guard.prune(now);
    let ok = true;
    for (const start of [...guard.dirty].sort((a, b) => a - b)) {
      const b = guard.bucket(start);
      if (!b) {
        guard.dirty.delete(start);
        continue;
      }
      const data: SeenFile = { version: 1, start, sigs: b.sigs, bodies: b.bodies };
      if (this.files.write(this.file(start), JSON.stringify(data) + '\n')) guard.dirty.delete(start);
      else ok = false;
    }
    for (const start of this.list())
      if (start < guard.oldestKept(now)) rmSync(this.file(start), { force: true });
    return ok;
  }
}
