import type { InstanceRef, ParticipantContext } from '../normalize/sample.js';
import type { AlertContext } from './alert.js';
import type { Series } from './lifecycle.js';
import { JoinSlots } from './join-slots.js';
import type { CompiledRule } from './rule-types.js';
import { SeriesTable, type Chunk } from './series-table.js';

/**
 * What a series' outstanding pending change needs before the series changes (pending-change.ts):
 * under a symbol, so never saved.
 */
export const OUTSTANDING = Symbol('outstanding pending change');
export interface Outstanding {
  /** Keeps what the change is to read, as the series is now: the series is about to change. */
  freeze(): void;
}

/**
 * A participant series' entry in its book's table (series-table.ts; -1: none), when it was
 * counted in (a join's series resolve in that order when it leaves), and where its newest time,
 * value and pending start are (HOME: its entry's chunk, or its own Loose while in no table):
 * under symbols, never saved.
 */
const AT = Symbol('entry');
const MADE = Symbol('made');
const HOME = Symbol('home');

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
  /** A firing meeting or shared cause: its breaching members who left its group (departed.ts). */
  departed?: Departed;
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
  [AT]?: number;
  [MADE]?: number;
  [HOME]?: Chunk<SeriesRecord> | Loose;
}

type Init = Omit<SeriesRecord, 'id' | 'rule' | typeof AT | typeof MADE | typeof HOME | keyof Series>;

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
  priorWorst: number | undefined = undefined;
  priorWorstAt: number | undefined = undefined;
  instance: string | undefined = undefined;
  participantKey: string | undefined = undefined;
  context: AlertContext;
  [OUTSTANDING]: Outstanding | undefined = undefined;
  [MADE] = 0;

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
  departed: Departed | undefined = undefined;
}

/**
 * A firing meeting's or shared cause's members whose reading breached when they left its group
 * while it fired: `left` the meeting (or their meeting ended), or `moved` out of the group still
 * in it (another group value, none past gap_tolerance, or out of the rule's filters). `fresh`:
 * one left since the alert was last observed breaching, or not recovering; its resolve is then
 * theirs, not a recovery (render-alert.ts). Saved with the series. Written in place only by the
 * pass of the engine that made it (departed.ts), never changed once handed on: a pending change
 * may hold a copy of the series, and whoever read the state between passes keeps what it read.
 */
export interface Departed {
  left: number;
  moved: number;
  /** Who of them (departed.ts, memberOf), and how: each counts once. Absent in older state files. */
  members?: Record<string, 'left' | 'moved'>;
  fresh?: true;
}

/** A participant series' numbers in the table (TABLE_NUMS) while it is in no table. */
class Loose {
  constructor(
    public lastTime = 0,
    public value = 0,
    public pendingSince?: number,
    public priorWorst?: number,
    public priorWorstAt?: number,
  ) {}
}

/** The numbers of a participant series kept in its table entry, in their order there (series-table.ts' NUMS). */
const TABLE_NUMS = ['lastTime', 'value', 'pendingSince', 'priorWorst', 'priorWorstAt'] as const;
type TableNum = (typeof TABLE_NUMS)[number];

/** A record's table numbers as a Loose. */
const looseOf = (r: Partial<Pick<Series, TableNum>>): Loose =>
  new Loose(r.lastTime, r.value, r.pendingSince, r.priorWorst, r.priorWorstAt);

/**
 * A participant series: its newest time, value and pending start are read and written in its
 * entry of the book's table (series-table.ts), where the rule pass steps a series that stays
 * where it is, not in the record (three numbers of 24 B each, their boxes included, per series:
 * 74 MiB in a storm of 1,075,015). Saved as an AlertSeries is (`toJSON`: the same fields in
 * the same order).
 */
class ParticipantSeries implements SeriesRecord {
  readonly id: string;
  readonly rule: string;
  state: SeriesRecord['state'] = 'inactive';
  instance: string | undefined = undefined;
  participantKey: string | undefined = undefined;
  context: AlertContext;
  [OUTSTANDING]: Outstanding | undefined = undefined;
  [AT] = -1;
  [MADE] = 0;
  /** Its entry's chunk while [AT] >= 0, else its Loose (none yet: all zero). */
  [HOME]: Chunk<SeriesRecord> | Loose | undefined = undefined;

  constructor(id: string, rule: string, context: AlertContext) {
    this.id = id;
    this.rule = rule;
    this.context = context;
  }

  get lastTime(): number {
    return this.num(0) ?? 0;
  }

  set lastTime(t: number) {
    this.setNum(0, t);
  }

  get value(): number {
    return this.num(1) ?? 0;
  }

  set value(v: number) {
    this.setNum(1, v);
  }

  get pendingSince(): number | undefined {
    return this.num(2);
  }

  set pendingSince(t: number | undefined) {
    this.setNum(2, t);
  }

  get priorWorst(): number | undefined {
    return this.num(3);
  }

  set priorWorst(v: number | undefined) {
    this.setNum(3, v);
  }

  get priorWorstAt(): number | undefined {
    return this.num(4);
  }

  set priorWorstAt(t: number | undefined) {
    this.setNum(4, t);
  }

  /** Its table number `field` (TABLE_NUMS' order), from its table entry or its Loose. */
  private num(field: number): number | undefined {
    const e = this[AT];
    const home = this[HOME];
    if (e >= 0) {
      const v = (home as Chunk<SeriesRecord>).num(e, field);
      return v === v ? v : undefined; // NaN: no pending start, no worst yet
    }
    if (!home) return undefined;
    return (home as Loose)[TABLE_NUMS[field]!];
  }

  private setNum(field: number, v: number | undefined): void {
    const e = this[AT];
    if (e >= 0) return (this[HOME] as Chunk<SeriesRecord>).setNum(e, field, v ?? NaN);
    const loose = (this[HOME] ??= new Loose()) as Loose;
    if (field < 2) loose[TABLE_NUMS[field] as 'lastTime' | 'value'] = v!;
    else loose[TABLE_NUMS[field] as 'pendingSince' | 'priorWorst' | 'priorWorstAt'] = v;
  }

  /** The series as saved: AlertSeries' fields in its order (the table's numbers after the state). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this)) {
      out[key] = this[key as keyof this];
      if (key === 'state') for (const n of TABLE_NUMS) out[n] = this[n];
    }
    return out;
  }
}

/** A series in the engine's shape, with `fields` (a restored series: all of them). */
export function seriesRecord(id: string, rule: string, fields: Init & Partial<Series>): SeriesRecord {
  if (fields.breaching !== undefined) return Object.assign(new GroupSeries(id, rule, fields.context), fields);
  if (fields.participantKey === undefined)
    return Object.assign(new AlertSeries(id, rule, fields.context), fields);
  const s = Object.assign(new ParticipantSeries(id, rule, fields.context), fields);
  // In no book yet, whatever a record it was copied from was in.
  s[AT] = -1;
  s[MADE] = 0;
  s[HOME] = TABLE_NUMS.every((n) => fields[n] === undefined) ? undefined : looseOf(fields);
  return s;
}

/**
 * A copy of a series as it is now, in no book: a participant series' as an AlertSeries, with its
 * newest time, value and pending start (a plain object with symbols and the table's fields
 * spread into it held 1 KiB each: +95 MiB in an alert storm's 85,000 pending changes).
 */
export function copyOf(rec: SeriesRecord): SeriesRecord {
  if (!(rec instanceof ParticipantSeries)) return { ...rec };
  return Object.assign(new AlertSeries(rec.id, rec.rule, rec.context), rec.toJSON());
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

/** A series' record holds what its table entry does not: the table's quick step must not be taken (SLOW). */
const slow = (rec: SeriesRecord): boolean =>
  rec.recoveringSince !== undefined || rec.explainedBy !== undefined || rec[OUTSTANDING] !== undefined;

/** A participant series leaves its table: its table numbers go with it (Loose). */
function leave(rec: SeriesRecord): void {
  if ((rec[AT] ?? -1) < 0) return;
  rec[HOME] = looseOf(rec);
  rec[AT] = -1;
}

/**
 * The alert series by id (the state's `series` map), and each participant series by join slot
 * and rule in a table (series-table.ts): a healthy participant costs one array read per sample,
 * and a series that stays where it is costs a few array reads and writes per rule, no object
 * read and no lookup by name. Every participant series has a slot (restored ones are given one);
 * one of a rule that is not a participant rule of the set (a reload changed its scope) is kept
 * aside (`orphans`). A participant record reads its newest time, value and pending start in the
 * table (ParticipantSeries).
 */
export class SeriesBook {
  /**
   * Changes whenever a series is made or dropped, to a number no other book had (`versions`):
   * a series looked up while it holds is still the one by that id (see `cached`).
   */
  private version = ++versions;
  /** The participant series by join slot and participant rule (see `setRules`). */
  table = new SeriesTable<SeriesRecord>(0);
  /** Each participant rule's index in the rule set's participant rules: its place in a table block. */
  private ruleIndex: ReadonlyMap<string, number> = new Map();
  private readonly orphans = new Set<SeriesRecord>();
  /** The last series counted in (SeriesRecord[MADE]): the series map's order. */
  private made = 0;
  /**
   * The series with a group (shared-cause incidents), in the order of the series map: what
   * explains an alert is looked up among them (explain.ts), not among every participant's series.
   */
  private grouped = new Set<SeriesRecord>();
  /**
   * Each instance's series that are in no table (its meeting rules' groups', orphans): with its
   * joins' series in the table, what an instance's end resolves (`ofInstance`), not a pass over
   * every series (1 ms a meeting end at 100,000 joins). The table's series are found by their
   * joins' slots: a set of every series by instance held 37 B a series, 39 MiB in a storm of
   * 1,075,015.
   */
  private byInstance = new Map<string, Set<SeriesRecord>>();

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

  /**
   * The series of instance `ikey` (SeriesRecord.instance), in the order of `values`: those in no
   * table, and those of its joins' slots (every participant series has one while it lives).
   */
  ofInstance(ikey: string): SeriesRecord[] {
    const mine = [...(this.byInstance.get(ikey) ?? [])];
    const joins = this.slots.joinsOf(ikey);
    if (joins) for (const slot of joins.values()) for (const rec of this.table.of(slot)) mine.push(rec);
    return mine.sort((a, b) => a[MADE]! - b[MADE]!);
  }

  /** The participant series of the join in `slot`, in the order they were counted in. */
  ofSlot(slot: number): SeriesRecord[] {
    const mine = [...this.table.of(slot)];
    for (const o of this.orphans) if (this.slots.find(o.instance!, o.participantKey!) === slot) mine.push(o);
    return mine.sort((a, b) => a[MADE]! - b[MADE]!);
  }

  /** Writes a participant record's state and whether it asks for its record (SLOW) in the table, after it took a step. */
  store(rec: SeriesRecord): void {
    const k = rec[AT] ?? -1;
    if (k >= 0) this.table.store(k, rec, slow(rec));
  }

  /** The table entry of a participant series (-1 for others). */
  entryOf(rec: SeriesRecord): number {
    return rec[AT] ?? -1;
  }

  /** A new rule set's participant rules: the table is laid out again for them. */
  setRules(participant: readonly CompiledRule[]): void {
    this.ruleIndex = new Map(participant.map((r, i) => [r.name, i]));
    this.recount();
  }

  /** Counts again which participants have series, in a new table. */
  private recount(): void {
    for (const s of this.series.values()) leave(s);
    this.version = ++versions;
    this.table = new SeriesTable(this.ruleIndex.size);
    this.orphans.clear();
    this.grouped = new Set();
    this.byInstance = new Map();
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
      const instance = s.instance;
      Object.assign(s, init);
      // A rule that changed scope: the series gains or loses its group.
      if (!grouped && s.group !== undefined) this.grouped.add(s);
      else if (grouped && s.group === undefined) this.grouped.delete(s);
      if (s.instance !== instance && (s[AT] ?? -1) < 0) {
        this.ofInstanceOut(s, instance);
        this.ofInstanceIn(s);
      }
    }
    return s;
  }

  /** Lets go of a series (a participant series' numbers go with it: a resolve renders it). */
  drop(rec: SeriesRecord): void {
    if (!this.series.delete(rec.id)) return;
    this.version = ++versions;
    this.count(rec, -1);
    this.changed();
  }

  private count(rec: SeriesRecord, delta: number): void {
    // Left by identity, whatever its group is now.
    if (delta < 0) {
      this.grouped.delete(rec);
      const k = rec[AT] ?? -1;
      if (k >= 0) {
        leave(rec);
        this.table.remove(k);
        return;
      }
      this.ofInstanceOut(rec, rec.instance);
      this.orphans.delete(rec);
      return;
    }
    if (rec.group !== undefined) this.grouped.add(rec);
    rec[MADE] = ++this.made;
    if (rec.participantKey && rec.instance) {
      // A restored series takes a slot.
      const slot = this.slots.slot(rec.instance, rec.participantKey);
      const r = this.ruleIndex.get(rec.rule);
      if (r !== undefined) {
        const k = this.table.entry(slot, r);
        this.table.add(k, rec, slow(rec)); // its numbers from its Loose
        rec[AT] = k;
        rec[HOME] = this.table.chunkOf(k);
        return; // found by its slot (ofInstance)
      }
      this.orphans.add(rec);
    }
    this.ofInstanceIn(rec);
  }

  private ofInstanceIn(rec: SeriesRecord): void {
    if (rec.instance === undefined) return;
    const mine = this.byInstance.get(rec.instance);
    if (mine) mine.add(rec);
    else this.byInstance.set(rec.instance, new Set([rec]));
  }

  /** `rec` leaves the series of `ikey` (its instance when it was counted in), by identity. */
  private ofInstanceOut(rec: SeriesRecord, ikey: string | undefined): void {
    const mine = ikey === undefined ? undefined : this.byInstance.get(ikey);
    if (mine?.delete(rec) && !mine.size) this.byInstance.delete(ikey!);
  }
}
