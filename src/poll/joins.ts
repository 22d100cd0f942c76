import { joinKey, personKey } from '../normalize/identity.js';
import type { QosSample } from '../normalize/sample.js';

/**
 * How long a signed-in person's leave is held back, so that a rejoin within it keeps their
 * alert. Their alert resolves as `left` this much later when they do not come back.
 */
export const REJOIN_GRACE_MS = 3 * 60_000;

/** A rejoin may show up this much before Zoom records the end of the stay it replaces. */
const REJOIN_OVERLAP_MS = 60_000;

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
}

export interface JoinsObserved {
  /** The key alerts follow, for every join of the answer. */
  keyOf: Map<string, string>;
  /** Keys with a join still present (or a signed-in person's left join within the rejoin grace). */
  present: string[];
  /** Keys whose every join has ended, reported once. */
  left: string[];
  /** Keys of people present on more than one device at once: their alerts must say which. */
  multiDevice: Set<string>;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** A QoS entry as the tracker sees it; `person` from the entry, else from the participants list. */
export function joinSeen(raw: Raw, now: number, person?: string): JoinSeen {
  const left = str(raw.leave_time);
  const leaveTime = left ? Date.parse(left) : undefined;
  return {
    join: joinKey(raw),
    person: personKey(raw) ?? person,
    joinTime: Date.parse(str(raw.join_time)) || 0,
    // A leave time Zoom wrote but we cannot read still means the stay has ended.
    leaveTime: leaveTime === undefined ? undefined : Number.isFinite(leaveTime) ? leaveTime : now,
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

interface KeyState {
  person?: string | undefined;
  reportedLeft: boolean;
}

interface InstanceJoins {
  alias: Map<string, string>;
  keys: Map<string, KeyState>;
}

/**
 * Joins of each instance, and the key alerts follow for each. A join is keyed by its
 * `user_id`. A signed-in person who leaves and joins again (a new `user_id`) keeps the key of
 * the join they left, so an alert on them carries on instead of resolving as `left` and firing
 * afresh; their leave is held back for `rejoinGraceMs` to give the rejoin time to show up. A
 * second device present at the same time gets its own key: two devices are two alerts. Guests
 * (no account id) are new on every join.
 */
export class JoinTracker {
  private readonly byInstance = new Map<string, InstanceJoins>();

  constructor(private readonly rejoinGraceMs: number) {}

  observe(instance: string, joins: readonly JoinSeen[], now: number): JoinsObserved {
    let inst = this.byInstance.get(instance);
    if (!inst) this.byInstance.set(instance, (inst = { alias: new Map(), keys: new Map() }));
    const { alias, keys } = inst;
    const keyOf = new Map<string, string>();
    const presentKeys = new Set<string>();
    const leftAt = new Map<string, number>();
    const mark = (key: string, j: JoinSeen): void => {
      keyOf.set(j.join, key);
      if (j.leaveTime === undefined) presentKeys.add(key);
      else leftAt.set(key, Math.max(leftAt.get(key) ?? 0, j.leaveTime));
    };
    const fresh: JoinSeen[] = [];
    for (const j of joins) {
      if (!j.join) continue;
      const known = alias.get(j.join);
      if (known !== undefined) mark(known, j);
      else fresh.push(j);
    }
    // New joins in the order they joined: a rejoin takes over the key of a join of the same
    // person whose stay had ended by the time it joined; a second device, whose stay overlaps
    // the other's, gets its own.
    fresh.sort((a, b) => (a.joinTime || 0) - (b.joinTime || 0));
    for (const j of fresh) {
      let key = j.join;
      if (j.person && j.joinTime) {
        let best: string | undefined;
        for (const [k, st] of keys) {
          const ended = leftAt.get(k);
          if (st.person !== j.person || presentKeys.has(k) || ended === undefined) continue;
          if (ended > j.joinTime + REJOIN_OVERLAP_MS) continue;
          if (best === undefined || ended >= leftAt.get(best)!) best = k;
        }
        if (best !== undefined) key = best;
      }
      alias.set(j.join, key);
      if (!keys.has(key)) keys.set(key, { person: j.person, reportedLeft: false });
      mark(key, j);
    }
    const present: string[] = [];
    const left: string[] = [];
    const seen = new Set(keyOf.values());
    for (const key of seen) {
      const st = keys.get(key)!;
      if (presentKeys.has(key)) {
        st.reportedLeft = false;
        present.push(key);
      } else if (st.person && now - (leftAt.get(key) ?? now) < this.rejoinGraceMs && !st.reportedLeft) {
        present.push(key); // held: the person may be rejoining
      } else if (!st.reportedLeft) {
        st.reportedLeft = true;
        left.push(key);
      }
    }
    const byPerson = new Map<string, string[]>();
    for (const key of presentKeys) {
      const p = keys.get(key)?.person;
      if (p) byPerson.set(p, [...(byPerson.get(p) ?? []), key]);
    }
    const multiDevice = new Set<string>();
    for (const ks of byPerson.values()) if (ks.length > 1) for (const k of ks) multiDevice.add(k);
    return { keyOf, present, left, multiDevice };
  }

  forget(instance: string): void {
    this.byInstance.delete(instance);
  }
}
