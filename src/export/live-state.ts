import type { InstanceRef, QosSample } from '../normalize/sample.js';
import { instanceKey, type PipelineEvent, type SampleSink } from '../normalize/events.js';

/** One live instance and the newest sample of each of its participants. */
export interface LiveInstance {
  ref: InstanceRef;
  participants: Map<string, QosSample>;
  /** Changes whenever the instance or one of its participants does; unique across instances. */
  version: number;
}

/**
 * The newest sample of every participant of every live instance: what metrics and the API
 * show. Participants who leave and instances that end are dropped at once, so their series
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
        for (const s of e.samples) {
          const key = instanceKey(s.instance);
          let inst = this.instances.get(key);
          if (!inst)
            this.instances.set(key, (inst = { ref: s.instance, participants: new Map(), version: v }));
          if (inst.ref.topic !== s.instance.topic) inst.version = v;
          inst.ref = s.instance;
          const prev = inst.participants.get(s.participant.key);
          if (!prev || prev.time <= s.time) {
            inst.participants.set(s.participant.key, s);
            inst.version = v;
          }
        }
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
}
