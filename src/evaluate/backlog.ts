import type { QosSample } from '../normalize/sample.js';

/**
 * The samples of a poll by sample time, oldest first. A poll can bring a backlog (several
 * samples of each participant, after an outage or a deferred cycle), and every rule must see
 * it in order, so that an incident firing and resolving inside one backlog still explains what
 * breached while it fired. The usual poll (one sample time) is passed on as it is.
 */
export function bySampleTime(
  samples: readonly QosSample[],
  each: (samples: readonly QosSample[], t: number) => void,
): void {
  const first = samples[0]?.time;
  let mixed = false;
  for (const s of samples) if (s.time !== first) mixed = true;
  if (!mixed) return each(samples, first ?? 0);
  const byTime = new Map<number, QosSample[]>();
  for (const s of samples) {
    const list = byTime.get(s.time);
    if (list) list.push(s);
    else byTime.set(s.time, [s]);
  }
  for (const t of [...byTime.keys()].sort((x, y) => x - y)) each(byTime.get(t)!, t);
}
