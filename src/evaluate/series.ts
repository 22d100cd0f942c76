import type { InstanceRef, ParticipantContext } from '../normalize/sample.js';
import type { AlertContext } from './alert.js';
import type { Series } from './lifecycle.js';
import type { CompiledRule } from './rule-types.js';

/** One alert series: the lifecycle plus what the alert says. Only non-inactive series are kept. */
export interface SeriesRecord extends Series {
  id: string;
  rule: string;
  instance?: string;
  participantKey?: string;
  group?: string;
  context: AlertContext;
  breaching?: number;
  participants?: number;
  /** Shared-cause incidents: how many instances the members come from. */
  meetings?: number;
  /** Whether the newest observation breached (not merely "not yet recovered"). */
  breachingNow?: boolean;
  /** When the breach that made it fire began (sample time); set once when it fires, never moved. */
  since?: number;
  /** Sample time the alert stopped breaching for good (start of the recovery that resolved it). */
  clearedAt?: number;
  /** The shared-cause alert that explains this one, and why in words (see explain.ts). */
  explainedBy?: string;
  explanation?: string;
}

/** A member's newest reading in an instance or shared-cause group. */
export interface Member {
  time: number;
  breaching: boolean;
  value: number;
  context: ParticipantContext;
  instance: InstanceRef;
}

/** All evaluation state: plain data, so it can be saved and restored. */
export interface EngineState {
  series: Map<string, SeriesRecord>;
  /**
   * instance and shared_cause rules: rule -> instance key or group value -> member key -> newest
   * reading. Those of groups with an alert series are saved with it (state-store.ts): after a
   * restart the first instance polled must not be judged alone, as if it were the whole group.
   */
  members: Map<string, Map<string, Map<string, Member>>>;
}

export const newState = (): EngineState => ({ series: new Map(), members: new Map() });

/** `instance/participant` of a participant series, the key of `SeriesBook.hasParticipant`. */
const whoOf = (rec: SeriesRecord): string | undefined =>
  rec.participantKey && rec.instance ? `${rec.instance}/${rec.participantKey}` : undefined;

/**
 * The alert series by id (the state's `series` map), and how many each participant has: a
 * healthy participant costs one lookup per sample, not one per rule.
 */
export class SeriesBook {
  private readonly withSeries = new Map<string, number>();

  constructor(private readonly series: Map<string, SeriesRecord>) {
    this.recount();
  }

  get(id: string): SeriesRecord | undefined {
    return this.series.get(id);
  }

  has(id: string): boolean {
    return this.series.has(id);
  }

  values(): IterableIterator<SeriesRecord> {
    return this.series.values();
  }

  /** Whether a participant (`instance/participant`) has any alert series. */
  hasParticipant(who: string): boolean {
    return this.withSeries.has(who);
  }

  /** Counts again which participants have series (after series were dropped in bulk). */
  recount(): void {
    this.withSeries.clear();
    for (const s of this.series.values()) {
      const who = whoOf(s);
      if (who) this.count(who, 1);
    }
  }

  /** The series of `id`, created inactive or updated with `init`. */
  record(
    id: string,
    rule: CompiledRule,
    init: Omit<SeriesRecord, 'id' | 'rule' | keyof Series>,
  ): SeriesRecord {
    let s = this.series.get(id);
    if (!s) {
      s = { id, rule: rule.name, state: 'inactive', lastTime: 0, value: 0, ...init };
      this.series.set(id, s);
      const who = whoOf(s);
      if (who) this.count(who, 1);
    } else Object.assign(s, init);
    return s;
  }

  drop(rec: SeriesRecord): void {
    if (!this.series.delete(rec.id)) return;
    const who = whoOf(rec);
    if (who) this.count(who, -1);
  }

  private count(who: string, delta: number): void {
    const n = (this.withSeries.get(who) ?? 0) + delta;
    if (n > 0) this.withSeries.set(who, n);
    else this.withSeries.delete(who);
  }
}
