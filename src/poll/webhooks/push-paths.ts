import { instanceKey } from '../../normalize/events.js';
import type { InstanceRef } from '../../normalize/sample.js';

/** Which path an instance's QoS comes by: Zoom's pushes, or our polls. */
export type QosPath = 'push' | 'poll';

/** An instance pushed at least once: the ref its last push gave, and when that was. */
interface Pushed {
  ref: InstanceRef;
  last: number;
}

/** One participant's last push: the instance key, the participant's key, when (the daemon's clock). */
export interface ParticipantPush {
  instance: string;
  participant: string;
  at: number;
}

/**
 * What readers (the /metrics collector, /api/v1/status) see of the push paths: nothing of it
 * changes state. Takeovers are counted and unlisted instances expired by the poll cycle
 * (`path`, `expireUnpolled`), and by the daemon's explicit expiry before its API reads.
 */
export type PushPathsView = Readonly<Pick<PushPaths, 'callsSaved' | 'takeovers'>> &
  Pick<PushPaths, 'peek' | 'instances' | 'lastPushAt'>;

/**
 * Remembers when each instance's QoS, and each of its participants', was last pushed. While
 * pushes keep coming for every participant its last poll listed, polling leaves the instance's
 * QoS list alone; once they have stopped for `takeoverAfterMs` for any one of them, polling takes
 * it back (one QoS list answers for all: a push for some only must not blind us to the others).
 * Pure bookkeeping over injected times.
 */
export class PushPaths {
  private readonly lastPush = new Map<string, Pushed>();
  /**
   * Each instance's participants by their last push. Apart from `lastPush`: those restored after a
   * restart (restorePushes) keep a participant a poll misses (pushedSince) without putting the
   * instance back on the push path before a push comes.
   */
  private readonly participants = new Map<string, Map<string, number>>();
  /** Changed whenever `participants` does (a push, a leave, a forget): the saver writes on a change. */
  generation = 0;
  /** Calls polling did not make because pushes covered the instance. */
  callsSaved = 0;
  /** Times polling took an instance back after its pushes stopped. */
  takeovers = 0;
  private readonly wasPushed = new Set<string>();

  /**
   * `polled`: whether polling knows the instance (discovery lists it): only such an instance can
   * be taken back. One it does not know (a pushed UUID discovery never listed) is forgotten once
   * its pushes have stopped for `takeoverAfterMs`, and `expired` is told (with the ref its last
   * push gave, and the time it was found so). `lastPolled`: the participants the instance's last
   * poll listed as present, which the push path needs a push of each of; `unpolled` for one
   * discovery lists that no poll has answered yet (not on the push path before a poll says who is
   * there); undefined for one discovery does not list (pushes alone decide).
   */
  constructor(
    readonly takeoverAfterMs: number,
    private readonly polled: (instance: string) => boolean = () => true,
    private readonly expired: (ref: InstanceRef, now: number) => void = () => undefined,
    private readonly lastPolled: (instance: string) => readonly string[] | 'unpolled' | undefined = () =>
      undefined,
  ) {}

  /** The instance was pushed at `at`, with samples of `participants` (none for `*.started`); its ref is the one this push gave. */
  pushed(ref: InstanceRef, at: number, participants: Iterable<string> = []): void {
    const key = instanceKey(ref);
    const p = this.lastPush.get(key);
    if (!p) this.lastPush.set(key, { ref, last: at });
    else {
      p.ref = ref;
      if (at > p.last) p.last = at;
    }
    for (const k of participants) this.participantPushed(key, k, at);
  }

  private participantPushed(instance: string, participant: string, at: number): void {
    let times = this.participants.get(instance);
    if (!times) this.participants.set(instance, (times = new Map<string, number>()));
    if (times.get(participant)! >= at) return;
    times.set(participant, at);
    this.generation++;
  }

  /**
   * Participants' pushes from before a restart (PushedPresence): a poll that misses one of them
   * within `gap_tolerance` of that push does not take them as gone (pushedSince). The instance
   * itself is not taken as pushed: polling reads it until a push comes again.
   */
  restorePushes(pushes: Iterable<ParticipantPush>): void {
    for (const { instance, participant, at } of pushes) this.participantPushed(instance, participant, at);
  }

  /**
   * Every participant's last push at `since` or later, for saving; older ones are forgotten here
   * (those of instances no cycle looks at any more, once restored, would stay otherwise).
   */
  pushesSince(since: number): ParticipantPush[] {
    const out: ParticipantPush[] = [];
    for (const [instance, times] of this.participants) {
      for (const [participant, at] of times)
        if (at >= since) out.push({ instance, participant, at });
        else times.delete(participant);
      if (!times.size) this.participants.delete(instance);
    }
    return out;
  }

  /**
   * Pushes cover the instance at `now`: one came within `takeoverAfterMs`, and one for each
   * participant its last poll listed.
   */
  private covered(instance: string, now: number): boolean {
    const p = this.lastPush.get(instance);
    if (!p || now - p.last > this.takeoverAfterMs) return false;
    const present = this.lastPolled(instance);
    if (present === 'unpolled') return false;
    const times = this.participants.get(instance);
    return (present ?? []).every((k) => now - (times?.get(k) ?? -Infinity) <= this.takeoverAfterMs);
  }

  /**
   * The instance's path now, as the poll cycle takes it: a change from push to poll of an
   * instance polling knows is counted as a takeover (one it does not know is forgotten instead).
   * Readers use `peek`.
   */
  path(instance: string, now: number): QosPath {
    const p = this.lastPush.get(instance);
    const last = p?.last;
    // Participants pushed longer ago count for nothing any more (those who left, mostly).
    const times = this.participants.get(instance);
    for (const [k, at] of times ?? []) if (now - at > this.takeoverAfterMs) times!.delete(k);
    const push = this.covered(instance, now);
    if (push) this.wasPushed.add(instance);
    else if (last !== undefined && !this.polled(instance)) this.expire(instance, now);
    else if (this.wasPushed.delete(instance)) this.takeovers++;
    return push ? 'push' : 'poll';
  }

  /** Forgets the instances polling does not know whose pushes stopped `takeoverAfterMs` ago. */
  expireUnpolled(now: number): void {
    for (const [instance, p] of this.lastPush)
      if (now - p.last > this.takeoverAfterMs && !this.polled(instance)) this.expire(instance, now);
  }

  private expire(instance: string, now: number): void {
    const ref = this.lastPush.get(instance)!.ref;
    this.forget(instance);
    this.expired(ref, now);
  }

  /** The instance's path now, without counting a takeover (for reading, as the API does). */
  peek(instance: string, now: number): QosPath {
    return this.covered(instance, now) ? 'push' : 'poll';
  }

  /**
   * A push said the participant left (reported left): its last pushes no longer say it is there
   * (`pushedSince`), so a poll that does not list it as present does not keep it (withPushed).
   */
  left(instance: string, participant: string): void {
    if (this.participants.get(instance)?.delete(participant)) this.generation++;
  }

  /** The instance's participants pushed at `since` or later. */
  pushedSince(instance: string, since: number): string[] {
    const out: string[] = [];
    for (const [k, at] of this.participants.get(instance) ?? []) if (at >= since) out.push(k);
    return out;
  }

  lastPushAt(instance: string): number | undefined {
    return this.lastPush.get(instance)?.last;
  }

  /**
   * Instances pushed at least once and not forgotten; with `now`, without those that would
   * expire at `now` (polling does not know them and their pushes stopped `takeoverAfterMs` ago).
   * Changes nothing: expireUnpolled forgets them.
   */
  instances(now?: number): InstanceRef[] {
    const out: InstanceRef[] = [];
    for (const [instance, p] of this.lastPush)
      if (now === undefined || now - p.last <= this.takeoverAfterMs || this.polled(instance)) out.push(p.ref);
    return out;
  }

  forget(instance: string): void {
    this.lastPush.delete(instance);
    this.wasPushed.delete(instance);
    if (this.participants.delete(instance)) this.generation++;
  }
}

/**
 * The participants a poll found present, and those pushed within `gap_tolerance` that its
 * answer neither lists nor says left: Zoom's QoS list may lag a fresh join (or drop someone for
 * a page), and one poll that misses a participant whose pushes keep coming must not end their
 * alerts (they would fire again at the next push).
 */
export function withPushed(
  result: { present: string[]; left: string[] },
  pushed: readonly string[],
): string[] {
  if (!pushed.length) return result.present;
  const known = new Set([...result.present, ...result.left]);
  const missed = pushed.filter((k) => !known.has(k));
  return missed.length ? [...result.present, ...missed] : result.present;
}
