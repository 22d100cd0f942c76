/**
 * The alert lifecycle of one series (a rule and a scope key): inactive -> pending -> firing
 * -> resolved, driven by observations in sample time. Pure: no clock, no I/O.
 */
export type LifeState = 'inactive' | 'pending' | 'firing';

/** A field unset is set to undefined, never deleted: a series keeps its shape (series.ts). */
export interface Series {
  state: LifeState;
  /** Sample time of the newest observation. */
  lastTime: number;
  value: number;
  pendingSince?: number;
  firingSince?: number;
  recoveringSince?: number;
  /**
   * The episode's worst value (worst in `Timing.worseUp`'s direction) among its observations
   * before the newest one's time, and that observation's time; undefined before a second time.
   * With `value` it makes the worst of the episode (worstOf). The newest observation is kept
   * apart, not folded in at once: one at the same time refines it (a group's share as more
   * members report), and a refined value replaces the one it refines, here too.
   */
  priorWorst?: number;
  priorWorstAt?: number;
}

export interface Observation {
  time: number;
  value: number;
  /** Beyond the threshold. */
  breaching: boolean;
  /** Back past the recovery threshold (without hysteresis: simply not breaching). */
  recovered: boolean;
}

export interface Timing {
  forMs: number;
  recoveryForMs: number;
  /** A gap between observations longer than this starts the pending and recovery clocks again. */
  gapToleranceMs: number;
  /** Which way the episode's worst value goes: up (a rule `above`, a group's share breaching) or down. */
  worseUp: boolean;
}

/** Whether `v` is worse than `w` (undefined or NaN: there is none yet) going `up`, or down. */
export const worse = (v: number, w: number | undefined, up: boolean): boolean =>
  w === undefined || (up ? !(v <= w) : !(v >= w));

/**
 * A pending or firing series' newest observation, about to be followed by a newer one, folded
 * into the worst before it (Series.priorWorst). Only a series pending or firing takes it: a
 * healthy participant's samples never touch a worst value.
 */
function fold(s: Series, up: boolean): void {
  const v = s.value;
  if (worse(v, s.priorWorst, up)) {
    s.priorWorst = v;
    s.priorWorstAt = s.lastTime;
  }
}

/** The episode's worst value and its sample time: the worst before the newest time, or the newest value when worse. */
export function worstOf(s: Series, up: boolean): { worst: number; worstAt: number } {
  return worse(s.value, s.priorWorst, up)
    ? { worst: s.value, worstAt: s.lastTime }
    : { worst: s.priorWorst!, worstAt: s.priorWorstAt ?? s.lastTime };
}

export type Transition = 'pending' | 'firing' | 'resolved' | 'cancelled' | undefined;

/**
 * `step` for an observation that leaves the series where it is (firing and not recovered, or
 * pending and not yet due), applied with a few field writes and no observation object: the
 * usual case of every series in a long incident, every cycle. False (nothing changed) for any
 * other, which `step` then takes.
 */
export function stays(
  s: Series,
  time: number,
  value: number,
  breaching: boolean,
  recovered: boolean,
  t: Timing,
): boolean {
  if (time < s.lastTime || s.lastTime <= 0) return false;
  if (s.state === 'firing') {
    if (recovered) return false;
    if (s.recoveringSince !== undefined) s.recoveringSince = undefined;
  } else if (
    s.state !== 'pending' ||
    !breaching ||
    time - s.lastTime > t.gapToleranceMs ||
    time - s.pendingSince! >= t.forMs
  )
    return false;
  if (time > s.lastTime) fold(s, t.worseUp);
  s.lastTime = time;
  s.value = value;
  return true;
}

/**
 * Applies one observation. Observations older than the newest one are ignored; one at the same
 * time refines it (instance and group observations are re-made as more participants report).
 */
export function step(s: Series, o: Observation, t: Timing): Transition {
  if (o.time < s.lastTime) return undefined;
  const gap = s.lastTime > 0 && o.time - s.lastTime > t.gapToleranceMs;
  if (s.state === 'inactive') {
    // A new episode: no worst before it.
    if (s.priorWorst !== undefined) s.priorWorst = s.priorWorstAt = undefined;
  } else if (o.time > s.lastTime) fold(s, t.worseUp);
  s.lastTime = o.time;
  s.value = o.value;
  switch (s.state) {
    case 'inactive':
      if (!o.breaching) return undefined;
      s.pendingSince = o.time;
      if (t.forMs === 0) {
        s.state = 'firing';
        s.firingSince = o.time;
        return 'firing';
      }
      s.state = 'pending';
      return 'pending';
    case 'pending':
      if (!o.breaching) {
        s.state = 'inactive';
        s.pendingSince = undefined;
        return 'cancelled';
      }
      if (gap) s.pendingSince = o.time;
      if (o.time - s.pendingSince! >= t.forMs) {
        s.state = 'firing';
        s.firingSince = o.time;
        return 'firing';
      }
      return undefined;
    case 'firing':
      if (!o.recovered) {
        s.recoveringSince = undefined;
        return undefined;
      }
      if (gap || s.recoveringSince === undefined) s.recoveringSince = o.time;
      if (o.time - s.recoveringSince >= t.recoveryForMs) {
        s.state = 'inactive';
        s.pendingSince = undefined;
        s.recoveringSince = undefined;
        return 'resolved';
      }
      return undefined;
  }
}
