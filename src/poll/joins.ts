import { personKey } from '../normalize/identity.js';
import type { QosSample } from '../normalize/sample.js';
import { formOf } from '../normalize/stats.js';
import { parseTime } from '../normalize/values.js';
import { isJsonObject } from '../util/json-object.js';

/**
 * How long a signed-in person's leave is held back, so that a rejoin within it keeps their
 * alert. Their alert resolves as `left` this much later when they do not come back.
 */
export const REJOIN_GRACE_MS = 3 * 60_000;

/** A rejoin may show up this much before Zoom records the end of the stay it replaces. */
const REJOIN_OVERLAP_MS = 60_000;

/** A `leave_time` not taken as a leave: unreadable, or dated before samples of the join. */
export interface OddLeave {
  /** `unreadable`: not a time; `implausible`: the join has samples dated after it. */
  reason: 'unreadable' | 'implausible';
  /** The value as Zoom wrote it. */
  form: string;
}

/** One entry (join) of a QoS answer, as the join tracker needs it. */
export interface JoinSeen {
  /** The join's own key (`user_id`). */
  join: string;
  /** Links joins of one person (account `id` / `participant_user_id`); undefined for guests. */
  person?: string | undefined;
  /** Epoch ms; NaN or 0 when Zoom gave none. */
  joinTime: number;
  /** Epoch ms when this stay ended; undefined while present. */
  leaveTime?: number | undefined;
  /** A `leave_time` Zoom wrote that is not believed (the join is present): counted and logged once. */
  oddLeave?: OddLeave | undefined;
  /** Epoch ms of the entry's newest sample (-Infinity or undefined for none). */
  newest?: number | undefined;
}

export interface JoinsObserved {
  /** The key alerts follow, for every join of the answer. */
  keyOf: Map<string, string>;
  /** Keys with a join still present (or a signed-in person's left join within the rejoin grace). */
  present: string[];
  /** Keys whose every join has ended, reported once. */
  left: string[];
  /** Of `left`, when each left: the latest `leave_time` the answer gave its joins. */
  leftAt: Map<string, number>;
  /** Keys of people present on more than one device at once: their alerts must say which. */
  multiDevice: Set<string>;
  /** Odd `leave_time`s of joins seen with one for the first time: to be counted and logged once. */
  oddLeaves: OddLeave[];
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * A sample dated this much after a join's `leave_time` says the join is still there: samples
 * are per minute, and the last one of a stay may be dated up to a minute past its leave.
 */
export const LEAVE_TOLERANCE_MS = 60_000;

/** The newest `date_time` among an entry's samples (-Infinity for none). */
function newestSample(raw: Raw): number {
  let newest = -Infinity;
  for (const e of Array.isArray(raw.user_qos) ? (raw.user_qos as unknown[]) : [])
    if (isJsonObject(e) && typeof e.date_time === 'string')
      newest = Math.max(newest, parseTime(e.date_time) || -Infinity);
  return newest;
}

/**
 * What an entry's `leave_time` says. Zoom writes one on every entry of a live QoS answer, equal
 * to `join_time` while the join is there (every example answer of its API has it so): a
 * leave_time at or before join_time is no leave. Nor is one the join has samples dated after
 * (past LEAVE_TOLERANCE_MS), nor one that is not a time: those are odd (`oddLeave`), counted
 * and logged once, and the join is present. Only a leave_time after join_time with no later
 * sample ends the stay.
 */
export function leaveOf(
  raw: Raw,
  joinTime = parseTime(str(raw.join_time)) || 0,
): Pick<JoinSeen, 'leaveTime' | 'oddLeave'> {
  const value = raw.leave_time;
  if (value === undefined || value === null || value === '') return {};
  const form = formOf(value);
  const leaveTime = typeof value === 'string' ? parseTime(value) : NaN;
  if (!Number.isFinite(leaveTime)) return { oddLeave: { reason: 'unreadable', form } };
  if (joinTime && leaveTime <= joinTime) return {};
  if (newestSample(raw) > leaveTime + LEAVE_TOLERANCE_MS)
    return { oddLeave: { reason: 'implausible', form } };
  return { leaveTime };
}

/**
 * A QoS entry as the tracker sees it: `join` its join key (identity.ts), `person` from the entry,
 * else from the participants list, and its leave as leaveOf reads it.
 */
export function joinSeen(raw: Raw, join: string, person: string | undefined): JoinSeen {
  const joinTime = parseTime(str(raw.join_time)) || 0;
  return {
    join,
    person: personKey(raw) ?? person,
    joinTime,
    // Read only for a join a push said left (pushedEndStands): parsed for every entry of every
    // answer, it cost 31 ms a poll at 5,000 joins of 10 samples (rA43, after b0bf918).
    get newest() {
      return newestSample(raw);
    },
    ...leaveOf(raw, joinTime),
  };
}

/**
 * Gives each sample the key its alerts follow, and the person it belongs to; a person on two
 * devices at once is labelled with the device, so each alert says which.
 */
export function applyJoins(
  samples: QosSample[],
  observed: JoinsObserved,
  extra: (join: string) => { person?: string | undefined; device?: string | undefined },
): QosSample[] {
  for (const s of samples) {
    const join = s.participant.join ?? s.participant.key;
    const key = observed.keyOf.get(join) ?? join;
    const { person, device } = extra(join);
    s.participant.key = key;
    if (!s.participant.person && person) s.participant.person = person;
    if (observed.multiDevice.has(key))
      s.participant.label = `${s.participant.name || key} (${device || s.context.device || join})`;
  }
  // A rejoined person's earlier stay comes out beside the new one: keep sample time in order.
  return samples.sort((a, b) => a.time - b.time);
}

/**
 * What a key keeps of its own: two fields (40 B). What few keys have (rejoins, a reported
 * leave) is kept by the instance, made when first written (`rejoins`, `reported`).
 */
interface KeyState {
  person: string | undefined;
  /** The device the key's own (first) join was first seen on; its rejoins' are in `devices`. */
  device: string | undefined;
}

/**
 * An instance's joins. The maps most joins never need are made when first written: an empty
 * Map is about 180 bytes, and most meetings are small.
 */
interface InstanceJoins {
  /**
   * The key of each join linked to an earlier join's key (a rejoin). A join whose key is its
   * own is found in `keys` instead: no entry per join for the many who never rejoin.
   */
  alias: Map<string, string> | undefined;
  keys: Map<string, KeyState>;
  /**
   * Keys of each signed-in person with more than one (a second device, a rejoin the poll did not
   * link). Most people have one key, found by its KeyState's `person` (`personKeys`): no entry
   * per person, made when first written.
   */
  byPerson: Map<string, string[]> | undefined;
  /**
   * The device each join was first seen on, but a key's own join (its KeyState's): a second
   * device's label stays the same whichever path brings it.
   */
  devices: Map<string, string> | undefined;
  /** Joins known to have ended (a polled `leave_time`, a pushed leave), and when. */
  ended: Map<string, number> | undefined;
  /**
   * Of `ended`, the joins a push said have left and no poll has shown a `leave_time` for yet:
   * a poll that still lists them present lags the push (pushedEndStands).
   */
  pushedEnds: Set<string> | undefined;
  /** Signed-in people's keys whose every join a push said has ended, held for a rejoin: when the last ended. */
  held: Map<string, number> | undefined;
  /**
   * The joins linked to a key after its first (rejoins), of the keys that have any. A key is
   * its first join's own key, so its joins are the key and these: no set per key.
   */
  rejoins: Map<string, string[]> | undefined;
  /** Keys reported left (and not back since). */
  reported: Set<string> | undefined;
  /** Joins whose odd `leave_time` (JoinSeen.oddLeave) was counted: counted once each. */
  doubted: Set<string> | undefined;
}

/** What a pushed leave means for the key its alerts follow. */
export interface PushedLeave {
  key: string;
  /** Report `left` now (a guest); otherwise nothing yet, or held for the rejoin grace (`dueLeaves`). */
  left: boolean;
}

/** What one answer said of each key: the key of every join, the keys present, and when the others left. */
interface Marks {
  keyOf: Map<string, string>;
  presentKeys: Set<string>;
  leftAt: Map<string, number>;
}

/**
 * When a push said the join left, if the answer, which lists it with no `leave_time`, shows
 * nothing newer than that leave: no join after it, no sample dated past it (beyond
 * LEAVE_TOLERANCE_MS: a sample is stamped at its minute's end). Zoom's dashboard answers lag
 * its webhooks by minutes, so such an answer is an old view of the join, and the pushed leave
 * stands; undefined when no pushed leave is waiting, or when the answer shows the join back.
 */
function pushedEndStands(inst: InstanceJoins, j: JoinSeen): number | undefined {
  if (!inst.pushedEnds?.has(j.join)) return undefined;
  const end = inst.ended?.get(j.join);
  if (end === undefined || j.joinTime > end || (j.newest ?? -Infinity) > end + LEAVE_TOLERANCE_MS) {
    inst.pushedEnds.delete(j.join);
    return undefined;
  }
  return end;
}

/**
 * A join of the answer under its key: present, or ended at its `leave_time` (or at a pushed
 * leave the answer lags behind: pushedEndStands).
 */
function mark(inst: InstanceJoins, marks: Marks, key: string, j: JoinSeen): void {
  marks.keyOf.set(j.join, key);
  const leaveTime = j.leaveTime ?? pushedEndStands(inst, j);
  if (leaveTime === undefined) {
    marks.presentKeys.add(key);
    inst.ended?.delete(j.join);
  } else {
    marks.leftAt.set(key, Math.max(marks.leftAt.get(key) ?? 0, leaveTime));
    (inst.ended ??= new Map()).set(j.join, leaveTime);
    if (j.leaveTime !== undefined) inst.pushedEnds?.delete(j.join);
  }
}

/**
 * A new join's key when it is a rejoin: it takes over the key of a join of the same person
 * whose stay had ended by the time it joined (the latest such); a second device, whose stay
 * overlaps the other's, gets its own (undefined here).
 */
function rejoinedKey(inst: InstanceJoins, marks: Marks, j: JoinSeen): string | undefined {
  if (!j.person || !j.joinTime) return undefined;
  let best: string | undefined;
  for (const [k, st] of inst.keys) {
    const ended = marks.leftAt.get(k);
    if (st.person !== j.person || marks.presentKeys.has(k) || ended === undefined) continue;
    if (ended > j.joinTime + REJOIN_OVERLAP_MS) continue;
    if (best === undefined || ended >= marks.leftAt.get(best)!) best = k;
  }
  return best;
}

/** Keys of people present on more than one device at once. */
function multiDevice(inst: InstanceJoins, presentKeys: ReadonlySet<string>): Set<string> {
  const byPerson = new Map<string, string[]>();
  for (const key of presentKeys) {
    const p = inst.keys.get(key)?.person;
    if (p) byPerson.set(p, [...(byPerson.get(p) ?? []), key]);
  }
  const out = new Set<string>();
  for (const ks of byPerson.values()) if (ks.length > 1) for (const k of ks) out.add(k);
  return out;
}

/**
 * Joins of each instance, and the key alerts follow for each. A join is keyed by its
 * `user_id`. A signed-in person who leaves and joins again (a new `user_id`) keeps the key of
 * the join they left, so an alert on them carries on instead of resolving as `left` and firing
 * afresh; their leave is held back for `rejoinGraceMs` to give the rejoin time to show up. A
 * second device present at the same time gets its own key: two devices are two alerts. Guests
 * (no account id) are new on every join. A polled key is forgotten once it has left (reported,
 * or ended past the grace) and the answer no longer lists it; all of an instance's, when it ends.
 */
export class JoinTracker {
  private readonly byInstance = new Map<string, InstanceJoins>();

  constructor(private readonly rejoinGraceMs: number) {}

  observe(instance: string, joins: readonly JoinSeen[], now: number): JoinsObserved {
    const inst = this.instance(instance);
    const marks: Marks = { keyOf: new Map(), presentKeys: new Set(), leftAt: new Map() };
    const fresh: JoinSeen[] = [];
    const oddLeaves: OddLeave[] = [];
    for (const j of joins) {
      if (!j.join) continue;
      if (j.oddLeave && !inst.doubted?.has(j.join)) {
        (inst.doubted ??= new Set()).add(j.join);
        oddLeaves.push(j.oddLeave);
      }
      const known = keyOfJoin(inst, j.join);
      if (known !== undefined) mark(inst, marks, known, j);
      else fresh.push(j);
    }
    // New joins in the order they joined.
    fresh.sort((a, b) => (a.joinTime || 0) - (b.joinTime || 0));
    for (const j of fresh) {
      const key = rejoinedKey(inst, marks, j) ?? j.join;
      this.link(inst, j, key);
      mark(inst, marks, key, j);
    }
    const listed = new Set(marks.keyOf.values());
    const { present, left, leftAt } = this.presentAndLeft(inst, marks, listed, now);
    const out = {
      keyOf: marks.keyOf,
      present,
      left,
      leftAt,
      multiDevice: multiDevice(inst, marks.presentKeys),
      oddLeaves,
    };
    // A key the answer no longer lists that was reported left, or whose joins all ended longer
    // than the rejoin grace ago, is done with: what it kept goes, so a meeting that lasts all
    // day keeps its live people, not everyone who ever joined it.
    for (const [key, st] of inst.keys) {
      if (listed.has(key) || inst.held?.has(key)) continue;
      const end = inst.reported?.has(key) ? -Infinity : this.endOf(inst, key);
      if (end !== undefined && now - end >= this.rejoinGraceMs) dropKey(inst, key, st);
    }
    return out;
  }

  /** Keys this tracker holds for an instance (tests: what a meeting keeps). */
  keysOf(instance: string): number {
    return this.byInstance.get(instance)?.keys.size ?? 0;
  }

  /** Entries an instance keeps per join apart from its key's state, links and devices (tests: only rejoins have them). */
  joinEntriesOf(instance: string): number {
    const inst = this.byInstance.get(instance);
    return inst ? (inst.alias?.size ?? 0) + (inst.devices?.size ?? 0) : 0;
  }

  /**
   * The keys seen in an answer, present or left: a signed-in person's leave is held for the
   * rejoin grace; a key whose every join has ended is reported left once.
   */
  private presentAndLeft(
    inst: InstanceJoins,
    marks: Marks,
    listed: ReadonlySet<string>,
    now: number,
  ): { present: string[]; left: string[]; leftAt: Map<string, number> } {
    const present: string[] = [];
    const left: string[] = [];
    const leftAt = new Map<string, number>();
    for (const key of listed) {
      const st = inst.keys.get(key)!;
      if (marks.presentKeys.has(key)) {
        inst.reported?.delete(key);
        inst.held?.delete(key);
        present.push(key);
      } else if (
        st.person &&
        now - (marks.leftAt.get(key) ?? now) < this.rejoinGraceMs &&
        !inst.reported?.has(key)
      ) {
        present.push(key); // held: the person may be rejoining
      } else if (!inst.reported?.has(key)) {
        (inst.reported ??= new Set()).add(key);
        inst.held?.delete(key);
        left.push(key);
        const at = marks.leftAt.get(key);
        if (at !== undefined) leftAt.set(key, at);
      }
    }
    return { present, left, leftAt };
  }

  /**
   * A pushed sample's join (QSS `user_id`, `participant_user_id`; `joinTime` from its first
   * sample, as pushes carry no join time): the key its alerts follow, the same one polling
   * gives it. A new join of a signed-in person takes over the key of their earlier stay only
   * when that stay is known to have ended (a pushed leave, or a `leave_time` a poll saw) by
   * the time it joined; otherwise, like a second device, it is a join of its own (two
   * devices merged into one key would lose one's samples as repeats of the other's).
   * `multiDevice`: the person has another join present under another key.
   */
  linkPushed(instance: string, j: JoinSeen): { key: string; multiDevice: boolean } {
    const inst = this.instance(instance);
    let key = keyOfJoin(inst, j.join);
    if (key === undefined) {
      key = j.join;
      if (j.person && j.joinTime) {
        let bestEnd = -Infinity;
        for (const k of personKeys(inst, j.person)) {
          const end = this.endOf(inst, k);
          if (end === undefined || end > j.joinTime + REJOIN_OVERLAP_MS || end < bestEnd) continue;
          bestEnd = end;
          key = k;
        }
      }
      if (key !== j.join) {
        inst.held?.delete(key);
        inst.reported?.delete(key);
      }
      this.link(inst, j, key);
    }
    let multiDevice = false;
    const person = inst.keys.get(key)?.person;
    // A person with one key has no other: only the people with more are looked at.
    for (const k of (person && inst.byPerson?.get(person)) || [])
      if (k !== key && this.endOf(inst, k) === undefined) multiDevice = true;
    return { key, multiDevice };
  }

  /**
   * A pushed leave of a join (`participant_left`). A guest's key is left at once; a signed-in
   * person's is held for the rejoin grace (`dueLeaves` reports it once that passes without a
   * rejoin); a key with another join still present is not left.
   */
  leftPushed(instance: string, j: JoinSeen, at: number): PushedLeave {
    const inst = this.instance(instance);
    let key = keyOfJoin(inst, j.join);
    if (key === undefined) this.link(inst, j, (key = j.join));
    (inst.ended ??= new Map()).set(j.join, at);
    (inst.pushedEnds ??= new Set()).add(j.join);
    const st = inst.keys.get(key)!;
    const end = this.endOf(inst, key);
    if (end === undefined || inst.reported?.has(key)) return { key, left: false };
    if (st.person && this.rejoinGraceMs > 0) {
      (inst.held ??= new Map()).set(key, end);
      return { key, left: false };
    }
    (inst.reported ??= new Set()).add(key);
    return { key, left: true };
  }

  /**
   * Keys held after a pushed leave whose rejoin grace has passed without a rejoin: left now,
   * once; `at` when their last join left.
   */
  dueLeaves(now: number): { instance: string; key: string; at: number }[] {
    const out: { instance: string; key: string; at: number }[] = [];
    for (const [instance, inst] of this.byInstance)
      for (const [key, end] of inst.held ?? []) {
        if (now - end < this.rejoinGraceMs) continue;
        inst.held!.delete(key);
        if (inst.reported?.has(key) || this.endOf(inst, key) === undefined) continue;
        (inst.reported ??= new Set()).add(key);
        out.push({ instance, key, at: end });
      }
    return out;
  }

  /**
   * The device a join is labelled with: the first one known for it (`known`, by poll or push),
   * kept so that its label does not change with the path or the source of context.
   */
  device(instance: string, join: string, known: string | undefined): string | undefined {
    const inst = this.instance(instance);
    const st = inst.keys.get(join);
    const d = st?.device ?? inst.devices?.get(join);
    if (d !== undefined || !known) return d;
    if (st) st.device = known;
    else (inst.devices ??= new Map()).set(join, known);
    return known;
  }

  forget(instance: string): void {
    this.byInstance.delete(instance);
  }

  private instance(instance: string): InstanceJoins {
    let inst = this.byInstance.get(instance);
    if (!inst)
      this.byInstance.set(
        instance,
        (inst = {
          alias: undefined,
          keys: new Map(),
          byPerson: undefined,
          devices: undefined,
          ended: undefined,
          pushedEnds: undefined,
          held: undefined,
          rejoins: undefined,
          reported: undefined,
          doubted: undefined,
        }),
      );
    return inst;
  }

  private link(inst: InstanceJoins, j: JoinSeen, key: string): void {
    if (key !== j.join) (inst.alias ??= new Map()).set(j.join, key);
    const st = inst.keys.get(key);
    if (st) {
      // Only a join seen for the first time is linked: never one already among its joins.
      if (j.join !== key) {
        const rejoins = (inst.rejoins ??= new Map<string, string[]>()).get(key);
        if (rejoins) rejoins.push(j.join);
        else inst.rejoins.set(key, [j.join]);
      }
      return;
    }
    // The person's keys before this one (looked for before it is added: one is found by its state).
    const before = j.person ? personKeys(inst, j.person) : [];
    inst.keys.set(key, { person: j.person, device: undefined });
    if (before.length) (inst.byPerson ??= new Map()).set(j.person!, [...before, key]);
  }

  /** When the last join of a key ended; undefined while one of them is present (or not known to have left). */
  private endOf(inst: InstanceJoins, key: string): number | undefined {
    const st = inst.keys.get(key);
    if (!st) return undefined;
    let end = inst.ended?.get(key);
    if (end === undefined) return undefined;
    for (const join of inst.rejoins?.get(key) ?? []) {
      const t = inst.ended?.get(join);
      if (t === undefined) return undefined;
      end = Math.max(end, t);
    }
    return end;
  }
}

/** The key a join is known under, or undefined for a join not seen yet. */
function keyOfJoin(inst: InstanceJoins, join: string): string | undefined {
  return inst.alias?.get(join) ?? (inst.keys.has(join) ? join : undefined);
}

/**
 * The keys of a signed-in person in an instance: the listed ones of a person with more than
 * one, else the one whose state says the person (a pass over the instance's keys, made for a
 * new join or a forgotten key, as a rejoin's search already is: never per sample).
 */
function personKeys(inst: InstanceJoins, person: string): readonly string[] {
  const listed = inst.byPerson?.get(person);
  if (listed) return listed;
  for (const [key, st] of inst.keys) if (st.person === person) return [key];
  return [];
}

/** Forgets a key and its joins. */
function dropKey(inst: InstanceJoins, key: string, st: KeyState): void {
  inst.keys.delete(key);
  inst.held?.delete(key);
  inst.reported?.delete(key);
  for (const join of [key, ...(inst.rejoins?.get(key) ?? [])]) {
    inst.alias?.delete(join);
    inst.devices?.delete(join);
    inst.ended?.delete(join);
    inst.pushedEnds?.delete(join);
    inst.doubted?.delete(join);
  }
  inst.rejoins?.delete(key);
  if (!st.person) return;
  const listed = inst.byPerson?.get(st.person);
  if (!listed) return;
  const rest = listed.filter((k) => k !== key);
  if (rest.length > 1) inst.byPerson!.set(st.person, rest);
  else inst.byPerson!.delete(st.person); // one key left: found by its state
}
