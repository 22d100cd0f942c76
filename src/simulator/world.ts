import type { SourceKind } from '../normalize/sample.js';
import { generateSample, type GeneratedSample } from './qos-generator.js';
import type { Scenario, SimInstance, SimParticipant } from './scenario-types.js';

const MINUTE = 60_000;

/**
 * What is live at a given time in a scenario, and what Zoom would say about it. Participant
 * join and leave times are relative to their instance's start; episode times to the scenario's.
 */
export class World {
  constructor(readonly scenario: Scenario) {}

  private abs(inst: SimInstance, offset: number): number {
    return this.scenario.start + inst.start + offset;
  }

  isLive(inst: SimInstance, now: number): boolean {
    const t = now - this.scenario.start;
    return t >= inst.start && t < inst.end;
  }

  liveInstances(kind: SourceKind, now: number): SimInstance[] {
    return this.scenario.instances.filter((i) => i.kind === kind && this.isLive(i, now));
  }

  /** A live instance by number, session id or UUID; undefined when unknown or not live (Zoom: 404, code 3001). */
  findLive(kind: SourceKind, idOrUuid: string, now: number): SimInstance | undefined {
    return this.scenario.instances.find(
      (i) => i.kind === kind && (i.id === idOrUuid || i.uuid === idOrUuid) && this.isLive(i, now),
    );
  }

  joinTime(inst: SimInstance, p: SimParticipant): number {
    return this.abs(inst, p.join);
  }

  /** When the participant left, if they have by `now`; an ended instance ends every stay. */
  leaveTime(inst: SimInstance, p: SimParticipant, now: number): number | undefined {
    const leave = Math.min(this.abs(inst, p.leave), this.scenario.start + inst.end);
    return leave <= now ? leave : undefined;
  }

  /** Participants in the instance now. */
  present(inst: SimInstance, now: number): SimParticipant[] {
    return inst.participants.filter(
      (p) => this.joinTime(inst, p) <= now && this.leaveTime(inst, p, now) === undefined,
    );
  }

  /** Participants the live QoS list shows: those present, and those who left within the QoS window. */
  inQosList(inst: SimInstance, now: number): SimParticipant[] {
    const horizon = now - this.scenario.qosWindowMs;
    return inst.participants.filter((p) => {
      if (this.joinTime(inst, p) > now) return false;
      const left = this.leaveTime(inst, p, now);
      return left === undefined || left > horizon;
    });
  }

  /** Sample times (whole scenario minutes) of `p` in (from, to]. */
  sampleTimes(inst: SimInstance, p: SimParticipant, from: number, to: number): number[] {
    const join = this.joinTime(inst, p);
    const leave = Math.min(this.abs(inst, p.leave), this.scenario.start + inst.end);
    const lo = Math.max(from, join);
    const hi = Math.min(to, leave);
    const s = this.scenario.start;
    const out: number[] = [];
    for (let t = s + Math.floor((lo - s) / MINUTE + 1) * MINUTE; t <= hi; t += MINUTE) out.push(t);
    return out;
  }

  /** The samples the live QoS endpoints return for `p` at `now`: those of the last QoS window. */
  liveSamples(inst: SimInstance, p: SimParticipant, now: number): GeneratedSample[] {
    return this.sampleTimes(inst, p, now - this.scenario.qosWindowMs, now).map((t) =>
      generateSample(this.scenario, inst, p, t),
    );
  }
}
