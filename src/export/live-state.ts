import type { InstanceRef, QosSample } from '../normalize/sample.js';
import { instanceKey, type PipelineEvent, type SampleSink } from '../normalize/events.js';
import { keptContext } from '../normalize/kept-context.js';
import { LiveParticipant } from './collectors/live-participant.js';
import { liveValues, streamsOf } from './live-values.js';
import { NO_VALUES } from './collectors/value-layout.js';

export { LiveParticipant };

/** One live instance and the newest sample of each of its participants. */
export interface LiveInstance {
  ref: InstanceRef;
  participants: Map<string, LiveParticipant>;
  /** Changes whenever the instance or one of its participants does; unique across instances. */
  version: number;
}

/**
 * Reads what metrics export, and what rules and the instances API read, out of a sample: into
 * `last` (the participant's, when there is one), its values array written over when the sample
 * has as many, so that a minute's samples make no new objects; else into a new LiveParticipant.
 */
function liveParticipant(s: QosSample, last: LiveParticipant | undefined, version: number): LiveParticipant {
  const streams = streamsOf(s, last?.streams);
  const who = s.participant;
  const context = keptContext(s.context, last?.context);
  if (!last) {
    const p = new LiveParticipant(who.name, who.email, who.ip, context, NO_VALUES, [], version);
    liveValues(s, streams, p);
    return p;
  }
  liveValues(s, streams, last);
  // The texts kept so far while equal: each poll's JSON gives new copies of them, and the rule
  // engine keeps the first sample's (join-slots.ts), so the two share one copy.
  if (last.name !== who.name) last.name = who.name;
  if (last.email !== who.email) last.email = who.email;
  if (!last.hasIp(who.ip)) last.ip = who.ip;
  last.context = context;
  last.version = version;
  return last;
}

/**
 * The newest sample of every participant of every live instance: what metrics and the
 * instances API show, with the exported values read out once on arrival (LiveParticipant).
 * Participants who leave and instances that end are dropped at once, so their series
 * disappear at the next scrape. `version` changes with every update, and each instance's own
 * `version` with each update of that instance, so what is rendered from it can be kept until then.
 */
export class LiveState implements SampleSink {
  readonly instances = new Map<string, LiveInstance>();
  version = 0;

  handle(e: PipelineEvent): void {
    const v = ++this.version;
    switch (e.type) {
      case 'samples':
        this.samples(e.samples, v);
        break;
      case 'left': {
        const inst = this.instances.get(instanceKey(e.instance));
        if (inst?.participants.delete(e.participant)) inst.version = v;
        break;
      }
      case 'polled': {
        const inst = this.instances.get(instanceKey(e.instance));
        if (inst && inst.participants.size) {
          const present = new Set(e.present);
          for (const k of inst.participants.keys())
            if (!present.has(k)) {
              inst.participants.delete(k);
              inst.version = v;
            }
        }
        break;
      }
      case 'ended':
        this.instances.delete(instanceKey(e.instance));
        break;
    }
  }

  /**
   * The newest sample of each participant wins (of equal times, the later); only the winners
   * of a batch are read out (a first poll brings ten minutes of every participant).
   */
  private samples(samples: readonly QosSample[], v: number): void {
    const batch = new Map<LiveInstance, Map<string, QosSample>>();
    let ref: InstanceRef | undefined;
    let inst: LiveInstance | undefined;
    let winners = new Map<string, QosSample>();
    for (const s of samples) {
      // Samples of one instance mostly come together, with one ref: looked up once.
      if (s.instance !== ref || !inst) {
        ref = s.instance;
        const key = instanceKey(ref);
        inst = this.instances.get(key);
        if (!inst) this.instances.set(key, (inst = { ref, participants: new Map(), version: v }));
        if (inst.ref.topic !== ref.topic) inst.version = v;
        inst.ref = ref;
        const w = batch.get(inst);
        if (w) winners = w;
        else batch.set(inst, (winners = new Map<string, QosSample>()));
      }
      const k = s.participant.key;
      const prev = winners.get(k)?.time ?? inst.participants.get(k)?.time;
      if (prev === undefined || prev <= s.time) {
        winners.set(k, s);
        inst.version = v;
      }
    }
    for (const [inst, winners] of batch)
      for (const [k, s] of winners) {
        const last = inst.participants.get(k);
        const p = liveParticipant(s, last, v);
        if (p !== last) inst.participants.set(k, p);
      }
  }
}
