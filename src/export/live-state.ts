import type { InstanceRef, QosSample } from '../normalize/sample.js';
import { instanceKey, type PipelineEvent, type SampleSink } from '../normalize/events.js';

/**
 * The newest sample of every participant of every live instance: what metrics and the API
 * show. Participants who leave and instances that end are dropped at once, so their series
 * disappear at the next scrape. `version` changes with every update, for caching.
 */
export class LiveState implements SampleSink {
  readonly instances = new Map<string, { ref: InstanceRef; participants: Map<string, QosSample> }>();
  version = 0;

  handle(e: PipelineEvent): void {
    switch (e.type) {
      case 'samples':
        for (const s of e.samples) {
          const key = instanceKey(s.instance);
          let inst = this.instances.get(key);
          if (!inst) this.instances.set(key, (inst = { ref: s.instance, participants: new Map() }));
          inst.ref = s.instance;
          const prev = inst.participants.get(s.participant.key);
          if (!prev || prev.time <= s.time) inst.participants.set(s.participant.key, s);
        }
        break;
      case 'left':
        this.instances.get(instanceKey(e.instance))?.participants.delete(e.participant);
        break;
      case 'polled': {
        const inst = this.instances.get(instanceKey(e.instance));
        if (inst) {
          const present = new Set(e.present);
          for (const k of [...inst.participants.keys()]) if (!present.has(k)) inst.participants.delete(k);
        }
        break;
      }
      case 'ended':
        this.instances.delete(instanceKey(e.instance));
        break;
    }
    this.version++;
  }
}
