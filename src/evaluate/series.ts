import type { InstanceRef, ParticipantContext } from '../normalize/sample.js';
import type { AlertContext } from './alert.js';
import type { Series } from './lifecycle.js';
import { JoinSlots } from './join-slots.js';
import type { CompiledRule } from './rule-types.js';

/**
 * What a series' outstanding pending change needs before the series changes (pending-change.ts):
 * under a symbol, so never saved.
 */
export const OUTSTANDING = Symbol('outstanding pending change');
export interface Outstanding {
  /** Keeps what the change is to read, as the series is now: the series is about to change. */
  freeze(): void;
}

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
  /** When the breach that made it fire began (sample time); set once when it fires, never moved. */
  since?: number;
  /** Sample time the alert stopped breaching for good (start of the recovery that resolved it). */
  clearedAt?: number;
  /** The shared-cause alert that explains this one, and why in words (see explain.ts). */
  explainedBy?: string;
  explanation?: string;
  /**
   * Loaded from an alert state file written before alerts carried the `instance_uuid` label: its
   * alert keeps the labels it was notified with until it resolves (render-alert.ts).
   */
  withoutUuidLabel?: true;
  /**
   * The labels its alert fired with (render-alert.ts): kept until it resolves, so that its
   * reminders and its resolve reach the notification groups its firing was notified in, even
   * when what the labels are made of changed meanwhile (a pushed instance's number learnt from
   * discovery, a rule's labels on reload).
   */
  firedLabels?: Record<string, string>;
  /** Its pending change while nobody read it and the series did not change since (pending-change.ts). */
  [OUTSTANDING]?: Outstanding;
}

type Init = Omit<SeriesRecord, 'id' | 'rule' | keyof Series>;

/** The id of an instance's or a shared cause's alert series: its rule and its group's key. */
export const groupSeriesId = (rule: string, key: string): string => `${rule}|${key}`;

/**
 * A series as the engine makes it: the fields every series has, in one order, in the object
 * itself (an object literal grown field by field kept most of them in a separate property
 * array). Those only some series have (a group's, a firing alert's) are added when set. A field
 * unset is set to undefined, never deleted: a deleted field turns the series into a dictionary.
 */
class AlertSeries implements SeriesRecord {
  readonly id: string;
  readonly rule: string;
  state: SeriesRecord['state'] = 'inactive';
  lastTime = 0;
  value = 0;
  pendingSince: number | undefined = undefined;
  instance: string | undefined = undefined;
  participantKey: string | undefined = undefined;
  context: AlertContext;
  [OUTSTANDING]: Outstanding | undefined = undefined;

  constructor(id: string, rule: string, context: AlertContext) {
    this.id = id;
    this.rule = rule;
    this.context = context;
  }
}

/** An instance's or a shared cause's series: a class of its own, so participant series stay small. */
class GroupSeries extends AlertSeries {
  group: string | undefined = undefined;
  breaching: number | undefined = undefined;
  participants: number | undefined = undefined;
  meetings: number | undefined = undefined;
}

/** A series in the engine's shape, with `fields` (a restored series: all of them). */
export function seriesRecord(id: string, rule: string, fields: Init & Partial<Series>): SeriesRecord {
  const Made = fields.breaching === undefined ? AlertSeries : GroupSeries;
  return Object.assign(new Made(id, rule, fields.context), fields);
}

/** A member's newest reading in an instance or shared-cause group. */
export interface Member {
  time: number;
  breaching: boolean;
  value: number;
  context: ParticipantContext;
  instance: InstanceRef;
}

/** A group's members by join slot as the state holds them (a restored group is a plain Map until first touched). */
export interface GroupMembers extends ReadonlyMap<number, Member> {
  delete(slot: number): boolean;
}

/** All evaluation state: plain data (and the joins' slots), so it can be saved and restored. */
export interface EngineState {
  series: Map<string, SeriesRecord>;
  /**
   * instance and shared_cause rules: rule -> instance key or group value -> member's join slot
   * -> newest reading. Those of groups with an alert series are saved with it (state-store.ts):
   * after a restart the first instance polled must not be judged alone, as if it were the
   * whole group.
   */
  members: Map<string, Map<string, GroupMembers>>;
  /** Each join's slot (join-slots.ts), the key of its readings in `members`. */
  slots: JoinSlots;
}

export const newState = (): EngineState =>
  unsaved({
    series: new Map(),
    members: new Map(),
    slots: new JoinSlots(),
  });

/**
 * The series maps of states that changed since they were last saved (state-store.ts), beyond
 * the newest observation's time and value of series that stayed where they were: what a save
 * after a cycle that changed nothing else may skip.
 */
const changed = new WeakSet<ReadonlyMap<string, SeriesRecord>>();

/** Marks a state (new, or restored) as not saved. */
export function unsaved(state: EngineState): EngineState {
  changed.add(state.series);
  return state;
}

/** Whether a state changed since this was last asked (then: it is taken as saved). */
export function takeChanged(state: EngineState): boolean {
  return changed.delete(state.series);
}

/** Where a series found by id is kept with the book's version it was found at (SeriesBook.cached). */
export interface SeriesCache {
  series: SeriesRecord | undefined;
  seriesAt: number;
}

/** The last version any book had (SeriesBook.version). */
let versions = 0;

/**
 * The alert series by id (the state's `series` map), and each participant's by join slot: a
 * healthy participant costs one array read per sample, not one lookup per rule. A participant
 * series is also found by (join slot, rule) without its string id: every participant series has
 * a slot (restored ones are given one), so a slot's series are all there and a miss means no
 * series. Only joins with series hold anything by slot.
 */
export class SeriesBook {
  /**
   * Changes whenever a series is made or dropped, to a number no other book had (`versions`):
   * a series looked up while it holds is still the one by that id (see `cached`).
   */
  private version = ++versions;
  /** Per join slot: its participant series by rule name (undefined when it has none). */
  private bySlot: (Map<string, SeriesRecord> | undefined)[] = [];
  /**
   * The series with a group (shared-cause incidents), in the order of the series map: what
   * explains an alert is looked up among them (explain.ts), not among every participant's series.
   */
  private grouped = new Set<SeriesRecord>();

  constructor(
    private readonly series: Map<string, SeriesRecord>,
    private readonly slots: JoinSlots,
  ) {
    this.recount();
  }

  get(id: string): SeriesRecord | undefined {
    return this.series.get(id);
  }

  /**
   * The series of `id` as `get` says, through `cache` (a group's): looked up only when a series
   * was made or dropped since the cache was filled, not every observation.
   */
  cached(id: string, cache: SeriesCache): SeriesRecord | undefined {
    if (cache.seriesAt !== this.version) {
      cache.series = this.series.get(id);
      cache.seriesAt = this.version;
    }
    return cache.series;
  }

  has(id: string): boolean {
    return this.series.has(id);
  }

  /** Marks the state as changed beyond newest times and values (see takeChanged). */
  changed(): void {
    changed.add(this.series);
  }

  values(): IterableIterator<SeriesRecord> {
    return this.series.values();
  }

  /** The series with a group (shared-cause incidents), in the order of `values`. */
  groupSeries(): IterableIterator<SeriesRecord> {
    return this.grouped.values();
  }

  /** The series of the join in `slot` by rule name; undefined when it has none. */
  ofSlot(slot: number): ReadonlyMap<string, SeriesRecord> | undefined {
    return this.bySlot[slot];
  }

  /** Counts again which participants have series (after series were dropped in bulk). */
  recount(): void {
    this.version = ++versions;
    this.bySlot = [];
    this.grouped = new Set();
    for (const s of this.series.values()) this.count(s, 1);
  }

  /** The series of `id`, created inactive or updated with `init`. */
  record(id: string, rule: CompiledRule, init: Init): SeriesRecord {
    let s = this.series.get(id);
    if (!s) {
      s = seriesRecord(id, rule.name, init);
      this.series.set(id, s);
      this.version = ++versions;
      this.count(s, 1);
      this.changed();
    } else {
      s[OUTSTANDING]?.freeze();
      for (const key in init)
        if (s[key as keyof Init] !== init[key as keyof Init]) {
          this.changed();
          break;
        }
      const grouped = s.group !== undefined;
      Object.assign(s, init);
      // A rule that changed scope: the series gains or loses its group.
      if (!grouped && s.group !== undefined) this.grouped.add(s);
      else if (grouped && s.group === undefined) this.grouped.delete(s);
    }
    return s;
  }

  drop(rec: SeriesRecord): void {
    if (!this.series.delete(rec.id)) return;
    this.version = ++versions;
    this.count(rec, -1);
    this.changed();
  }

  private count(rec: SeriesRecord, delta: number): void {
    // Left by identity, whatever its group is now.
    if (delta < 0) this.grouped.delete(rec);
    else if (rec.group !== undefined) this.grouped.add(rec);
    if (!rec.participantKey || !rec.instance) return;
    // Dropped before its join's slot is freed (departures.ts); a restored series takes a slot.
    const slot =
      delta > 0
        ? this.slots.slot(rec.instance, rec.participantKey)
        : this.slots.find(rec.instance, rec.participantKey);
    if (slot === undefined) return;
    let mine = this.bySlot[slot];
    if (delta > 0) {
      if (!mine) {
        // Grown one by one up to the slot, not written past its end: a write far past the end
        // turns the array into a dictionary, and every sample's lookup (ofSlot) into a hash
        // lookup (issue 16).
        while (this.bySlot.length <= slot) this.bySlot.push(undefined);
        this.bySlot[slot] = mine = new Map<string, SeriesRecord>();
      }
      mine.set(rec.rule, rec);
    } else if (mine?.get(rec.rule) === rec) {
      mine.delete(rec.rule);
      if (!mine.size) this.bySlot[slot] = undefined;
    }
  }
}
