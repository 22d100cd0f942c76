import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceRef, ParticipantContext } from '../../normalize/sample.js';
import { type StateCheck, type StateFiles } from '../../util/state-files.js';
import { isJsonObject } from '../../util/json-object.js';

/** What the pushes said about one participant (join) of an instance, for the post-call report. */
export interface PushedParticipant {
  /**
   * The participant object of the `*_qos_summary` event exactly as Zoom sent it: the shape of
   * one entry of the `qos_summary` API answer (`participant_id`, `user_name`, `id`, `email`,
   * `qos: [{type, details: {min_*, avg_*, max_*}}]`), so normalizeSummary reads both.
   */
  qos_summary?: Record<string, unknown>;
  /** Context from `*_data` / `*_data_summary` events (device, network, data center, location, ...). */
  context?: ParticipantContext;
  /** When the last of these arrived (epoch ms). */
  received: number;
}

/** One instance's file: `state.dir/webhooks/summaries/<kind>-<base64url(uuid)>.json`. */
export interface PushedSummaries {
  version: 1;
  instance: InstanceRef;
  /** By join key (participantKey: `user_id` / `participant_id`, Video SDK `id`). */
  participants: Record<string, PushedParticipant>;
  /** When the instance ended, if a `*.ended` event said so (epoch ms). */
  ended?: number;
  updated: number;
}

/** Files untouched this long are deleted at start. */
export const SUMMARY_RETENTION_MS = 30 * 86_400_000;
/** Participants kept per instance file; past it new ones are not recorded (and counted). */
const MAX_PARTICIPANTS = 50_000;

/** The webhooks' folder under `state.dir`: the spool, instance names, event clock, seen buckets. */
export const webhooksDir = (stateDir: string): string => join(stateDir, 'webhooks');

/** The directory summaries are kept in, under `state.dir`. */
export const summariesDir = (stateDir: string): string => join(webhooksDir(stateDir), 'summaries');

/** The file holding what was pushed about one instance (for `qoswatch report`). */
export const summaryFile = (stateDir: string, ref: Pick<InstanceRef, 'kind' | 'uuid'>): string =>
  join(summariesDir(stateDir), `${ref.kind}-${Buffer.from(ref.uuid, 'utf8').toString('base64url')}.json`);

const checkSummaries: StateCheck<PushedSummaries> = (raw) => {
  if (
    !isJsonObject(raw) ||
    raw.version !== 1 ||
    !isJsonObject(raw.instance) ||
    !isJsonObject(raw.participants)
  )
    return { error: 'it is not a version 1 pushed-summaries file' };
  const i = raw.instance;
  if (typeof i.kind !== 'string' || typeof i.uuid !== 'string')
    return { error: 'its instance has no kind or uuid' };
  const discarded: string[] = [];
  // No prototype: a join key may be any string Zoom sends, `__proto__` included.
  const participants = Object.create(null) as Record<string, PushedParticipant>;
  for (const [k, v] of Object.entries(raw.participants)) {
    if (isJsonObject(v) && typeof v.received === 'number')
      participants[k] = v as unknown as PushedParticipant;
    else discarded.push(`participants[${JSON.stringify(k).slice(0, 80)}]: not a participant entry`);
  }
  return {
    value: {
      version: 1,
      instance: raw.instance as unknown as InstanceRef,
      participants,
      ...(typeof raw.ended === 'number' ? { ended: raw.ended } : {}),
      updated: typeof raw.updated === 'number' ? raw.updated : 0,
    },
    discarded,
  };
};

/** Reads what was pushed about an instance; undefined when nothing was. For `qoswatch report`. */
export function readPushedSummaries(
  files: StateFiles,
  stateDir: string,
  ref: Pick<InstanceRef, 'kind' | 'uuid'>,
): PushedSummaries | undefined {
  return files.read(summaryFile(stateDir, ref), checkSummaries);
}

/**
 * Keeps what QSS pushes say about each participant beyond the live samples, for the
 * post-call report: the `*_qos_summary` events (min/avg/max of each stream over the stay,
 * sent after the call) and the context of `*_data` events. One file per instance, written
 * through StateFiles (atomic, fsynced); writes of an instance are gathered for up to a
 * second, and flushed at stop.
 */
export class SummaryStore {
  private readonly open = new Map<string, PushedSummaries>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private latest = 0;
  /** Participants not recorded because their instance's file was full. */
  dropped = 0;

  constructor(
    private readonly stateDir: string,
    private readonly files: StateFiles,
    now: number,
  ) {
    this.prune(now);
  }

  private entry(ref: InstanceRef, at: number): PushedSummaries {
    const file = summaryFile(this.stateDir, ref);
    let s = this.open.get(file);
    if (!s) {
      s = readPushedSummaries(this.files, this.stateDir, ref) ?? {
        version: 1,
        instance: ref,
        participants: Object.create(null) as Record<string, PushedParticipant>,
        updated: at,
      };
      // The topic may come from discovery after the first event.
      if (ref.topic) s.instance = ref;
      this.open.set(file, s);
    }
    s.updated = at;
    this.latest = Math.max(this.latest, at);
    this.dirty.add(file);
    if (!this.timer) {
      // Real time on purpose: this only paces disk writes.
      this.timer = setTimeout(() => this.flush(), 1000);
      this.timer.unref();
    }
    return s;
  }

  private participant(ref: InstanceRef, key: string, at: number): PushedParticipant | undefined {
    const s = this.entry(ref, at);
    let p = s.participants[key];
    if (!p) {
      if (Object.keys(s.participants).length >= MAX_PARTICIPANTS) {
        this.dropped++;
        return undefined;
      }
      s.participants[key] = p = { received: at };
    }
    p.received = at;
    return p;
  }

  summary(ref: InstanceRef, key: string, raw: Record<string, unknown>, at: number): void {
    const p = this.participant(ref, key, at);
    if (p) p.qos_summary = raw;
  }

  context(ref: InstanceRef, key: string, context: ParticipantContext, at: number): void {
    const p = this.participant(ref, key, at);
    if (p) p.context = { ...p.context, ...context };
  }

  ended(ref: InstanceRef, at: number): void {
    this.entry(ref, at).ended = at;
  }

  /** Writes the files that changed; an instance whose file is written and ended is let go from memory. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const file of [...this.dirty]) {
      const s = this.open.get(file)!;
      if (!this.files.write(file, JSON.stringify(s) + '\n')) continue; // StateFiles retries it
      this.dirty.delete(file);
      if (s.ended !== undefined) this.open.delete(file);
    }
    // Instances that never said they ended are let go once quiet for a day.
    for (const [file, s] of this.open)
      if (!this.dirty.has(file) && s.updated < this.latest - 86_400_000) this.open.delete(file);
  }

  private prune(now: number): void {
    const dir = summariesDir(this.stateDir);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const f = join(dir, n);
      try {
        if (statSync(f).mtimeMs < now - SUMMARY_RETENTION_MS) rmSync(f, { force: true });
      } catch {
        /* gone meanwhile */
      }
    }
  }
}
