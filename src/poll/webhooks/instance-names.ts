import { join } from 'node:path';
import { instanceKey } from '../../normalize/events.js';
import type { InstanceRef } from '../../normalize/sample.js';
import {
  entryCheck,
  INSTANCE_REF,
  TIME,
  validEntries,
  type StateCheck,
  type StateFiles,
} from '../../util/state-files.js';
import { isJsonObject } from '../../util/json-object.js';

/** Instances remembered; past it the least recently seen go first. */
const MAX_NAMES = 10_000;
/** An ended instance is kept this long after its end (Zoom retries up to +60 minutes). */
export const ENDED_KEEP_MS = 2 * 3_600_000;
/** One never said to end is dropped once not seen this long. */
export const QUIET_KEEP_MS = 24 * 3_600_000;
/** `seen` is written again once it has moved this far (not at every push). */
const SEEN_STEP_MS = 3_600_000;

/** What is kept of one instance: its ref, when last seen, and when it ended (if it did). */
export interface NamedInstance {
  ref: InstanceRef;
  seen: number;
  ended?: number;
}

/** `state.dir/webhooks/instances.json`. */
interface NamesFile {
  version: 1;
  instances: NamedInstance[];
}

const checkEntry = entryCheck({
  type: 'object',
  required: ['ref', 'seen'],
  properties: { ref: INSTANCE_REF, seen: TIME, ended: TIME },
});

/** Keeps the entries that are whole (their known fields only); anything else is discarded and named. */
const checkNames: StateCheck<NamesFile> = (raw) => {
  if (!isJsonObject(raw) || raw.version !== 1 || !Array.isArray(raw.instances))
    return { error: 'it is not a version 1 pushed-instances file' };
  const discarded: string[] = [];
  const entries = raw.instances.slice(0, MAX_NAMES);
  const instances = validEntries<NamedInstance>('instances', entries, checkEntry, discarded).map(
    ({ ref: { kind, id, uuid, topic }, seen, ended }) => ({
      ref: { kind, id, uuid, topic },
      seen,
      ...(ended !== undefined ? { ended } : {}),
    }),
  );
  if (raw.instances.length > MAX_NAMES)
    discarded.push(`${raw.instances.length - MAX_NAMES} entries past ${MAX_NAMES}`);
  return { value: { version: 1, instances }, discarded };
};

/**
 * The number and topic qoswatch learned of each pushed instance (from discovery, or from a
 * pushed `*.started`, `participant_left` or summary), by instance key. Zoom's QoS events carry
 * only the UUID: with this, a pushed instance's alerts say `instance=<number>` and its topic
 * even when discovery does not list it (yet), also after a restart: the names are kept in
 * `state.dir/webhooks/instances.json` (atomic, through StateFiles; a damaged file is set aside
 * with one log line). Bounded (MAX_NAMES), ended instances dropped ENDED_KEEP_MS after their
 * end, others once quiet for QUIET_KEEP_MS. Writes are gathered for up to a second (real
 * time: it only paces disk writes) and flushed at stop.
 */
export class InstanceNames {
  private readonly names = new Map<string, NamedInstance>();
  private file: string | undefined;
  private files: StateFiles | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  /** Loads `dir/instances.json` (what is still within its keep) and writes changes there from now on. */
  persist(dir: string, files: StateFiles, now: number): number {
    this.file = join(dir, 'instances.json');
    this.files = files;
    const saved = files.read(this.file, checkNames)?.instances ?? [];
    for (const e of saved.sort((a, b) => a.seen - b.seen))
      if (!this.names.has(instanceKey(e.ref)) && this.keep(e, now)) this.names.set(instanceKey(e.ref), e);
    return this.names.size;
  }

  private keep(e: NamedInstance, now: number): boolean {
    return e.ended !== undefined ? now - e.ended < ENDED_KEEP_MS : now - e.seen < QUIET_KEEP_MS;
  }

  get(key: string): InstanceRef | undefined {
    return this.names.get(key)?.ref;
  }

  get size(): number {
    return this.names.size;
  }

  /** Keeps what `ref` says of its instance's number and topic (a ref without either changes nothing). */
  learn(ref: InstanceRef, now: number): void {
    const hasId = ref.id !== ref.uuid;
    if (!hasId && !ref.topic) return;
    const key = instanceKey(ref);
    const had = this.names.get(key);
    const next: InstanceRef = {
      ...ref,
      id: hasId ? ref.id : (had?.ref.id ?? ref.id),
      topic: ref.topic || had?.ref.topic || '',
    };
    if (had && had.ended === undefined && sameRef(had.ref, next) && now - had.seen < SEEN_STEP_MS) return;
    this.names.delete(key); // re-inserted last: the map's order is least recently seen first
    this.names.set(key, { ref: next, seen: now });
    this.prune(now);
    this.changed();
  }

  /** The instance ended: kept for ENDED_KEEP_MS more (for late pushes of it), then dropped. */
  ended(key: string, now: number): void {
    const e = this.names.get(key);
    if (!e || e.ended !== undefined) return;
    e.ended = now;
    this.changed();
  }

  private prune(now: number): void {
    while (this.names.size > MAX_NAMES) this.names.delete(this.names.keys().next().value!);
    for (const [key, e] of this.names) {
      if (this.keep(e, now)) continue;
      this.names.delete(key);
    }
  }

  private changed(): void {
    if (!this.files) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), 1000);
    this.timer.unref();
  }

  /** Writes the names if they changed (StateFiles retries a failed write). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || !this.files || !this.file) return;
    this.dirty = false;
    const data: NamesFile = { version: 1, instances: [...this.names.values()] };
    this.files.write(this.file, JSON.stringify(data) + '\n');
  }
}

const sameRef = (a: InstanceRef, b: InstanceRef): boolean =>
  a.kind === b.kind && a.id === b.id && a.uuid === b.uuid && a.topic === b.topic;
