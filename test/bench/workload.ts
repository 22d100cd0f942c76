import type { QosSample } from '../../src/normalize/sample.js';
import { attachNumbers, numbersOf, sampleNumbers } from '../../src/normalize/sample-numbers.js';

/**
 * A sample as the normalizer hands it on: with its numbers (normalize/sample-numbers.ts), which
 * the normalizer writes while it reads the values (its cost is in cycle.bench.ts's figures).
 */
export function normalized(s: QosSample, numbers: readonly number[] = numbersOf(s)): QosSample {
  attachNumbers(s, numbers);
  return s;
}

/** The numbers of `samples`' `whoOnly` samples, all of them: none (attachNumbers). */
const NO_NUMBERS: readonly number[] = [];

/**
 * A sample's instance, participant and context as a new poll brings them: new objects with the
 * same fields. The normalizer makes them anew for every answer, so reusing the earlier minute's
 * objects would let the engine's and live state's same-object checks hit where they miss in
 * production (the bench would read cheaper than a real quiet minute).
 */
function refsAnew(s: QosSample): Pick<QosSample, 'instance' | 'participant' | 'context'> {
  return { instance: instanceAnew(s.instance), participant: { ...s.participant }, context: { ...s.context } };
}

/** The instance object made last, and the one it was made from. */
let madeFrom: QosSample['instance'] | undefined;
let made: QosSample['instance'] | undefined;

/**
 * An instance as a new poll brings it: a new object, but one for all of an answer's samples, as
 * the normalizer makes it (normalize/qos-items.ts: one `instance` per answer). A new object per
 * sample missed the engine's same-instance check on every sample (ColumnValues.fill), which a
 * real poll's samples hit: the bench read slower than a real quiet minute.
 */
function instanceAnew(instance: QosSample['instance']): QosSample['instance'] {
  if (instance !== madeFrom || !made) {
    madeFrom = instance;
    made = { ...instance };
  }
  return made;
}

/**
 * The same participant's sample at another minute with the same values, as the normalizer would
 * hand it on: a new sample object with new refs (`refsAnew`) and new numbers (a copy of the
 * earlier sample's, which are what the normalizer would write again: numbersOf reads them out of
 * the objects 20x slower).
 */
export function again(s: QosSample, time: number): QosSample {
  const next = { ...s, ...refsAnew(s), time };
  attachNumbers(next, sampleNumbers(s) ?? numbersOf(next));
  return next;
}

/**
 * `instances` meetings of `perInstance` participants, one sample each at `time`, with every
 * usual stream, as the normalizer hands them on. A share `degraded` of the participants breach
 * most default thresholds. With `sharedValues`, the samples of the same values share their value
 * objects (streams, CPU, Wi-Fi; there are 100 such), as `drifting`'s and `again`'s do, and keep
 * numbers of their own: for the rule engine, which reads a sample's numbers (ColumnReader), not
 * those objects. 100,000 samples then hold 76 MB, not 197 MB (evaluate.bench.ts's storm figure
 * peaked at 986 MiB resident alone, of a 1 GiB bound). Not for what keeps or reads the objects
 * (live state, the scrape). With `whoOnly`, the samples say who the participants are and
 * nothing more, for `drifting`: given no numbers, they share those of a sample without values
 * (the same shape as a normalized sample's, and 100,000 samples' numbers less held;
 * evaluate.bench.ts's warm figures).
 */
export function samples(
  instances: number,
  perInstance: number,
  time: number,
  degraded = 0.05,
  { sharedValues = false, whoOnly = false }: { sharedValues?: boolean; whoOnly?: boolean } = {},
): QosSample[] {
  const out: QosSample[] = [];
  const values = new Map<number, ReturnType<typeof valuesAt>>();
  const valuesOf = (jitter: number): ReturnType<typeof valuesAt> => {
    if (!sharedValues) return valuesAt(jitter);
    let v = values.get(jitter);
    if (!v) values.set(jitter, (v = valuesAt(jitter)));
    return v;
  };
  for (let i = 0; i < instances; i++) {
    const instance = {
      kind: 'meeting' as const,
      id: String(80_000_000_000 + i),
      uuid: `m${i}==`,
      topic: `Meeting ${i}`,
    };
    for (let p = 0; p < perInstance; p++) {
      const spread = ((i * 31 + p * 17) % 100) / 100;
      const bad = spread < degraded;
      // Healthy: well under the thresholds; degraded: over them.
      const jitter = bad ? 0.8 + spread * 0.2 : spread * 0.5;
      out.push(
        normalized(
          {
            instance,
            participant: { key: `u${i}-${p}`, name: `Person ${p}`, email: '', ip: '' },
            context: {
              dataCenter: ['SC', 'NY', 'AM'][p % 3]!,
              networkType: p % 2 ? 'Wifi' : 'Wired',
              device: 'Mac',
              location: 'X',
              version: '6.2.5',
            },
            time,
            ...valuesOf(jitter),
          },
          whoOnly ? NO_NUMBERS : undefined,
        ),
      );
    }
  }
  return out;
}

/** A sample's measurements at `jitter` (0: ideal; 0.5: the worst healthy; 0.8 and up: degraded). */
function valuesAt(jitter: number): Pick<QosSample, 'streams' | 'cpu' | 'wifi'> {
  const stream = {
    latency: 0.05 + jitter * 0.4,
    jitter: 0.002 + jitter * 0.05,
    avgLoss: jitter * 0.08,
    maxLoss: jitter * 0.12,
    bitrate: 40_000 + jitter * 20_000,
  };
  return {
    streams: {
      audio_input: stream,
      audio_output: stream,
      video_input: { ...stream, bitrate: 1_000_000, frameRate: 25 - jitter * 20, width: 1280, height: 720 },
      video_output: { ...stream, bitrate: 800_000, frameRate: 25, width: 640, height: 360 },
    },
    cpu: { zoomAvg: 0.1 + jitter * 0.8, zoomMax: 0.2 + jitter * 0.8, systemMax: 0.5 },
    wifi: { avg: -50 - jitter * 40 },
  };
}

let numbersAt0: number[] | undefined;
let numbersAt1: number[] | undefined;
/** Values and numbers per jitter step (1/2,000): the samples of a step share their objects. */
const steps = new Map<number, { values: ReturnType<typeof valuesAt>; numbers: number[] }>();

/**
 * The values at `jitter` (rounded to a step) and the numbers the normalizer would write for
 * them: every value is linear in the jitter, so they are interpolated between those at 0 and 1
 * (numbersOf per sample costs ~50 us, 5 s a minute of 100,000 samples at load 10).
 */
function atJitter(
  template: QosSample,
  jitter: number,
): { values: ReturnType<typeof valuesAt>; numbers: number[] } {
  const step = Math.round(jitter * 2000);
  let at = steps.get(step);
  if (!at) {
    numbersAt0 ??= numbersOf({ ...template, ...valuesAt(0) });
    numbersAt1 ??= numbersOf({ ...template, ...valuesAt(1) });
    const a = numbersAt0;
    const b = numbersAt1;
    const j = step / 2000;
    // Pushed, as the normalizer's writer grows its numbers (sample-numbers.ts): packed. From
    // `new Array(n)` they were holey, and every value the engine read from them was boxed (about
    // 100 bytes a sample, and a column reader 3x slower than on the normalizer's numbers).
    const numbers: number[] = [];
    for (let k = 0; k < a.length; k++) numbers.push(a[k] === b[k] ? a[k]! : a[k]! + j * (b[k]! - a[k]!));
    steps.set(step, (at = { values: valuesAt(j), numbers }));
  }
  return at;
}

/** A number in [0, 1) that looks random, the same for the same (n, m). */
const hash = (n: number, m: number): number =>
  ((Math.imul(n + 1, 2_654_435_761) ^ Math.imul(m + 7, 40_503)) >>> 0) / 2 ** 32;

/**
 * Minute `minute` of the participants of `first` (the output of `samples`, used for who they
 * are) at `time`, with values that move as a real population's do: a share `degraded` of them
 * degraded at any minute, a share `turnover` changing state each minute (half of them turning
 * degraded, half recovering: the degraded set slides along a fixed shuffle of the participants),
 * and every value moving a little from minute to minute (healthy ones stay under the thresholds,
 * degraded ones over). New sample objects with new refs and numbers, as the normalizer hands them on;
 * their value objects are shared by the samples of a jitter step (as `again`'s are with the
 * sample copied), or a minute's samples would add ~100 MB to the file's peak.
 */
export function drifting(
  first: readonly QosSample[],
  minute: number,
  time: number,
  { degraded = 0.05, turnover = 0.01 }: { degraded?: number; turnover?: number } = {},
): QosSample[] {
  const n = first.length;
  const slide = Math.round((n * turnover) / 2) * minute;
  const bad = n * degraded;
  return first.map((s, j) => {
    const rank = (j * 7919 + slide) % n; // 7919 is prime: j -> j * 7919 mod n shuffles when n is not a multiple of it
    const noise = hash(j, minute);
    const jitter = rank < bad ? 0.8 + noise * 0.2 : (((j * 104_729) % 1000) / 1000) * 0.45 + noise * 0.05;
    const { values, numbers } = atJitter(s, jitter);
    const next = { ...s, ...refsAnew(s), time, ...values };
    attachNumbers(next, numbers); // copied: new numbers per sample, as the normalizer writes them
    return next;
  });
}
