import { instanceKey } from '../normalize/events.js';
import type { QosSample } from '../normalize/sample.js';
import type { EngineState } from './series.js';

/**
 * Which group members' readings at a sample time are unknown though the members are not gone,
 * so that a group observation without them would be partial (see group-rules.ts):
 * - members of instances whose readings were restored from the saved state and that have not
 *   reported since the start: after an outage longer than gap_tolerance those readings are too
 *   old to count, and the first instance to report must not be judged as if it were the whole
 *   group. An instance stops being awaited when it reports, is polled or ends.
 * - members that reported a later minute already, one the samples being evaluated also reach
 *   (an instance's backlog arriving a cycle after the others'). A reading beyond those samples'
 *   newest minute is not waited for: a sample time in the future is Zoom's error.
 */
export class UnknownReadings {
  private readonly awaited = new Set<string>();
  /** The newest sample time of the samples being evaluated. */
  private batchEnd = 0;

  constructor(state: EngineState) {
    for (const byKey of state.members.values())
      for (const members of byKey.values())
        for (const m of members.values()) this.awaited.add(instanceKey(m.instance));
  }

  /**
   * Samples about to be evaluated, the newest at `newest` (backlog.ts's sampleTimes, one pass
   * over them for both): their instances have reported.
   */
  samples(samples: readonly QosSample[], newest: number): void {
    if (this.awaited.size) for (const s of samples) this.awaited.delete(instanceKey(s.instance));
    this.batchEnd = newest;
  }

  /** The instance was polled (even without samples), or ended. */
  reported(ikey: string): void {
    this.awaited.delete(ikey);
  }

  /** Instances still awaited that are not live (they ended while qoswatch was down). */
  notLive(live: ReadonlySet<string>): string[] {
    return [...this.awaited].filter((i) => !live.has(i));
  }

  /** Whether instances restored from the state file are still awaited. */
  get awaiting(): boolean {
    return this.awaited.size > 0;
  }

  /** Whether a reading at `time`, newer than the sample time observed, is one the samples being evaluated reach. */
  late(time: number): boolean {
    return time <= this.batchEnd;
  }

  /**
   * Whether a member's reading (at `time`, of instance `ikey`) is unknown at `t` (see the class
   * comment); `gapMs` is gap_tolerance.
   */
  unknownAt(time: number, ikey: string, t: number, gapMs: number): boolean {
    if (time > t) return this.late(time);
    return time < t - gapMs && this.awaited.size > 0 && this.awaited.has(ikey);
  }
}
