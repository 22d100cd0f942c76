import type { QosSample } from '../normalize/sample.js';

/** The sample times of a poll's samples: the first's, the newest, and whether they differ. */
interface SampleTimes {
  readonly first: number;
  readonly newest: number;
  readonly mixed: boolean;
}

/** The sample times of `samples` (0 when there are none), in one pass over them. */
export function sampleTimes(samples: readonly QosSample[]): SampleTimes {
  const first = samples[0]?.time ?? 0;
  let newest = 0;
  let mixed = false;
  for (let i = 0; i < samples.length; i++) {
    const t = samples[i]!.time;
    if (t > newest) newest = t;
    if (t !== first) mixed = true;
  }
  return { first, newest, mixed };
}

/**
 * The samples of a poll by sample time, oldest first. A poll can bring a backlog (several
 * samples of each participant, after an outage or a deferred cycle), and every rule must see
 * it in order, so that an incident firing and resolving inside one backlog still explains what
 * breached while it fired. The usual poll (one sample time, as `times` says: sampleTimes) is
 * passed on as it is.
 */
export function bySampleTime(
  samples: readonly QosSample[],
  { first, mixed }: SampleTimes,
  each: (samples: readonly QosSample[], t: number) => void,
): void {
  if (!mixed) return each(samples, first);
  const byTime = new Map<number, QosSample[]>();
  for (const s of samples) {
    const list = byTime.get(s.time);
    if (list) list.push(s);
    else byTime.set(s.time, [s]);
  }
  for (const t of [...byTime.keys()].sort((x, y) => x - y)) each(byTime.get(t)!, t);
}
