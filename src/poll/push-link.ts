import { instanceKey } from '../normalize/events.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { JoinTracker } from './joins.js';

/**
 * Gives pushed samples the key polling gives their join (a rejoin keeps the key of the stay
 * it replaces, a second device has its own, labelled with the device), so that a push and a
 * poll of the same minute of a join are one sample, and alerts follow one key.
 */
export function linkPushed(joins: JoinTracker, instance: InstanceRef, samples: readonly QosSample[]): void {
  const ik = instanceKey(instance);
  const first = new Map<string, number>();
  for (const s of samples) {
    const j = s.participant.join ?? s.participant.key;
    first.set(j, Math.min(first.get(j) ?? Infinity, s.time));
  }
  const linked = new Map<string, { key: string; multiDevice: boolean }>();
  for (const s of samples) {
    const j = s.participant.join ?? s.participant.key;
    let l = linked.get(j);
    if (!l) {
      // A sample covers the minute before its date_time: the join was there by then.
      const joinTime = first.get(j)! - 60_000;
      linked.set(j, (l = joins.linkPushed(ik, { join: j, person: s.participant.person, joinTime })));
    }
    s.participant.key = l.key;
    if (l.multiDevice)
      s.participant.label = `${s.participant.name || l.key} (${joins.device(ik, j, s.context.device) || j})`;
  }
}
