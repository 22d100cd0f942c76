import type { RawRule } from '../../src/evaluate/rule-types.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QosSample, StreamMetrics } from '../../src/normalize/sample.js';
import { MIN, T } from './rules.js';
import { seeded } from './storm.js';

/** A rule reload (RuleEngine.setRules) at sample time `at`: the new rules as written. */
export interface Reload {
  type: 'reload';
  rules: Partial<RawRule>[];
  at: number;
}

/** A restart: the engine's state saved to its state file, and a new engine started from it. */
export interface Restart {
  type: 'restart';
}

/** What a case hands the engine: pipeline events, and now and then a rule reload or a restart. */
export type CaseEvent = PipelineEvent | Reload | Restart;

/** One property-test case: rules as written, the gap tolerance and the events. */
export interface EngineCase {
  rules: Partial<RawRule>[];
  gapMs: number;
  events: CaseEvent[];
}

/** The metrics the random rules read, their thresholds and recovery thresholds, and how samples read them. */
const METRICS = [
  {
    metric: 'latency',
    key: 'latency',
    when: 'above',
    thresholds: ['200ms', '300ms', '300ms', '400ms'],
    recoveries: ['150ms', '200ms', '250ms'],
    scale: 0.6,
  },
  {
    metric: 'jitter',
    key: 'jitter',
    when: 'above',
    thresholds: ['30ms', '40ms', '40ms'],
    recoveries: ['20ms', '30ms'],
    scale: 0.08,
  },
  {
    metric: 'avg_loss',
    key: 'avgLoss',
    when: 'above',
    thresholds: ['3%', '5%', '5%', '10%'],
    recoveries: ['2%', '3%', '5%'],
    scale: 0.15,
  },
  {
    metric: 'frame_rate',
    key: 'frameRate',
    when: 'below',
    thresholds: ['10fps', '15fps', '15fps'],
    recoveries: ['15fps', '20fps'],
    scale: 30,
  },
] as const;
const CPU = { thresholds: ['70%', '80%', '80%'], recoveries: ['60%', '70%'] };
const STREAMS = [['any_audio'], ['audio_input'], ['any'], ['video_sent', 'audio_output']];
const STREAM_NAMES = ['audio_input', 'audio_output', 'video_input'];

/** The case's meetings' instance keys (normalize/events.ts instanceKey): a value may read as one. */
const MEETING_KEYS = ['meeting:a==', 'meeting:b==', 'meeting:c=='];
/**
 * Data centers and locations as Zoom writes them (its samples: `SC`, `United States (SC Top)`,
 * `San Jose (US)`), and now and then one that reads as a meeting's key: a shared cause's group
 * is keyed by its value, a meeting rule's by the instance key, and a meeting's end must drop
 * only the latter (c6a2682).
 */
const DATA_CENTERS = ['SC', 'NY', 'United States (SC Top)', 'United States'];
const LOCATIONS = ['San Jose (US)', 'New York', 'United States', 'Amsterdam (NL)'];

/**
 * The two data centers (and their locations) a case's meetings are served by: Zoom's values,
 * and in 40% of cases one of the two, data center or location, a meeting's key.
 */
function servedBy(rnd: () => number): { dc: [string, string]; location: [string, string] } {
  const two = (xs: readonly string[]): [string, string] => {
    const i = Math.floor(rnd() * xs.length);
    const j = (i + 1 + Math.floor(rnd() * (xs.length - 1))) % xs.length;
    return [xs[i]!, xs[j]!];
  };
  const dc = two(DATA_CENTERS);
  const location = two(LOCATIONS);
  if (rnd() < 0.4) {
    const key = MEETING_KEYS[Math.floor(rnd() * MEETING_KEYS.length)]!;
    (rnd() < 0.6 ? dc : location)[rnd() < 0.5 ? 0 : 1] = key;
  }
  return { dc, location };
}

/** A threshold's number, to keep a recovery threshold on the good side of its threshold. */
const amount = (text: string): number => parseFloat(text);

function randomRules(rnd: () => number, n: number): Partial<RawRule>[] {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  const rules: Partial<RawRule>[] = [];
  for (let i = 0; i < n; i++) {
    const scope = pick(['participant', 'participant', 'instance', 'shared_cause'] as const);
    const cpu = rnd() < 0.15;
    const m = pick(METRICS);
    const above = cpu || m.when === 'above';
    const threshold = cpu ? pick(CPU.thresholds) : pick(m.thresholds);
    const rule: Partial<RawRule> = cpu
      ? { metric: 'cpu_zoom_avg', when: 'above', threshold }
      : { metric: m.metric, when: m.when, threshold, streams: pick(STREAMS) };
    rule.name = `r${i}`;
    if (scope !== 'participant') rule.scope = scope;
    if (rnd() < 0.3) rule.aggregate = 'avg';
    if (rnd() < 0.7) rule.for = pick(['1m', '2m', '3m']);
    if (rnd() < 0.5) rule.recovery = { for: pick(['1m', '2m']) };
    if (rnd() < 0.4) {
      // Hysteresis: back past a recovery threshold on the good side of the threshold (or on it).
      const good = (cpu ? CPU.recoveries : m.recoveries).filter((r) =>
        above ? amount(r) <= amount(threshold) : amount(r) >= amount(threshold),
      );
      if (good.length) rule.recovery = { ...rule.recovery, threshold: pick(good) };
    }
    if (rnd() < 0.2) rule.filters = { network_type: 'Wifi' };
    if (scope !== 'participant') {
      rule.breaching =
        rnd() < 0.5 ? { count: 1 + Math.floor(rnd() * 3) } : { ratio: pick(['30%', '50%', '100%']) };
      rule.min_participants = 1 + Math.floor(rnd() * 3);
    }
    if (scope === 'shared_cause') {
      rule.group_by = pick(['data_center', 'data_center', 'network_type', 'location'] as const);
      // Two explaining on the same group_by, now and then: the one that fired first explains.
      if (rnd() < 0.8) rule.explains = true;
    }
    if (scope === 'instance' && rnd() < 0.4) rule.explained = { ratio: pick(['60%', '75%', '100%']) };
    if (scope !== 'shared_cause' && rnd() < 0.2) rule.explained = { ...rule.explained, inhibit: false };
    rules.push(rule);
  }
  return rules;
}

/**
 * The values a case's rules turn on, per sample field: each threshold and recovery threshold in
 * base units. Samples land on them exactly, now and then, so `>` and `>=` differ.
 */
function boundaries(rules: readonly Partial<RawRule>[]): Map<string, number[]> {
  const base = (text: string): number =>
    text.endsWith('ms') ? amount(text) / 1000 : text.endsWith('%') ? amount(text) / 100 : amount(text);
  const out = new Map<string, number[]>();
  for (const r of rules) {
    const key = r.metric === 'cpu_zoom_avg' ? 'cpu' : METRICS.find((m) => m.metric === r.metric)!.key;
    const list = out.get(key) ?? [];
    list.push(base(String(r.threshold)));
    if (r.recovery?.threshold !== undefined) list.push(base(String(r.recovery.threshold)));
    out.set(key, list);
  }
  return out;
}

/**
 * Minutes of 3 meetings of 4 participants: people drop out, come back, leave, move data center
 * (for good, or for a sample), read without one now and then, or change network; now and then a data center degrades for a few
 * minutes; values cross the thresholds and often land on them exactly. Each poll is followed
 * by a `polled` event per meeting, as the daemon reports polls: a participant can be missing
 * from its poll for a while (gone, whether or not an alert series of theirs exists), and a
 * poll now and then lists nobody. In most cases one meeting lags: its newest samples are a
 * minute or two older than the others' (Zoom's answer for it is late), and come with the next poll.
 * Now and then a participant's newest minute comes again, refined with a stream type of its own
 * (as a push of one stream type refines a minute, normalize/dedup.ts), in the same event or the next.
 */
function randomEvents(
  rnd: () => number,
  rules: readonly Partial<RawRule>[],
  minutes: number,
): PipelineEvent[] {
  const exact = boundaries(rules);
  const events: PipelineEvent[] = [];
  const meetings = ['a', 'b', 'c'].map((id) => ({
    kind: 'meeting' as const,
    id,
    uuid: `${id}==`,
    topic: id,
  }));
  // Meeting a is served by data center 0 (SC, say), c by 1 (NY), b by both; a data center in
  // trouble makes most of its participants breach. Each is at its own location.
  const where = servedBy(rnd);
  const home: number[][] = meetings.map((_, i) =>
    [0, 1, 2, 3].map((p) => (i === 0 || (i === 1 && p % 2) ? 0 : 1)),
  );
  /** Whether each participant is listed by its meeting's poll (one who is not has gone). */
  const listed = meetings.map(() => [true, true, true, true]);
  const lagging = rnd() < 0.7 ? Math.floor(rnd() * meetings.length) : -1;
  const trouble = [false, false];
  /** A value of a sample field: on a threshold (one of `exact`'s), or random (bad or not). */
  const value = (key: string, bad: boolean, when: string, scale: number): number => {
    const on = exact.get(key);
    if (on && rnd() < 0.3) return on[Math.floor(rnd() * on.length)]!;
    const r = bad ? 0.4 + rnd() * 0.6 : rnd() * 0.5;
    return when === 'above' ? r * scale : (1 - r) * scale;
  };
  /** The minute of `s` again, with one stream type's new values (bad half the time) and now and then CPU. */
  const refinement = (s: QosSample): QosSample => {
    const bad = rnd() < 0.5;
    const s2: Record<string, number> = {};
    for (const x of METRICS) s2[x.key] = value(x.key, bad, x.when, x.scale);
    const name = STREAM_NAMES[Math.floor(rnd() * STREAM_NAMES.length)]!;
    return {
      ...s,
      streams: { [name]: s2 },
      ...(rnd() < 0.3 ? { cpu: { zoomAvg: value('cpu', bad, 'above', 1) } } : {}),
    };
  };
  /** Samples not handed on yet, per meeting. */
  const backlog: QosSample[][] = meetings.map(() => []);
  /** A poll at minute `m`: each meeting's samples (the lagging one's up to a minute or two before), then what it listed. */
  const poll = (m: number, last: boolean): void => {
    const lag = last ? 0 : rnd() < 0.7 ? 1 : 2;
    const handed: QosSample[][] = [];
    const present: string[][] = [];
    meetings.forEach((_, i) => {
      const nobody = rnd() < 0.02; // a poll that lists nobody (and brings nothing)
      present[i] = nobody ? [] : [0, 1, 2, 3].filter((p) => listed[i]![p]).map((p) => `p${p}`);
      // Samples of a participant this poll does not list are not in its answer.
      const mine = backlog[i]!.filter((s) => present[i]!.includes(s.participant.key));
      const upTo = T + (i === lagging ? m - lag : m) * MIN;
      handed[i] = mine.filter((s) => s.time <= upTo);
      backlog[i] = mine.filter((s) => s.time > upTo);
      // Now and then a participant's newest minute comes again, refined (a stream type pushed
      // after it, with values of its own, healthy or not): in the same event, or in the next.
      const newest = handed[i].filter((s) => s.time === upTo);
      if (newest.length && rnd() < 0.25) {
        const again = refinement(newest[Math.floor(rnd() * newest.length)]!);
        if (rnd() < 0.5) handed[i].push(again);
        else backlog[i].unshift(again);
      }
    });
    const polled = (i: number): PipelineEvent => ({
      type: 'polled',
      instance: meetings[i]!,
      present: present[i]!,
      at: T + m * MIN,
    });
    // Half hand all meetings' samples at once and then the polls (as the daemon does), half
    // meeting by meeting, in a random order.
    if (rnd() < 0.5) {
      const samples = handed.flat();
      if (samples.length) events.push({ type: 'samples', samples });
      meetings.forEach((_, i) => events.push(polled(i)));
    } else
      for (const i of [0, 1, 2].sort(() => rnd() - 0.5)) {
        if (handed[i]!.length) events.push({ type: 'samples', samples: handed[i]! });
        events.push(polled(i));
      }
  };
  for (let m = 0; m < minutes; m++) {
    for (const dc of [0, 1]) if (rnd() < (trouble[dc] ? 0.15 : 0.06)) trouble[dc] = !trouble[dc];
    meetings.forEach((instance, i) => {
      for (let p = 0; p < 4; p++) {
        if (rnd() < 0.03) home[i]![p] = 1 - home[i]![p]!; // moved for good
        // Missing from the meeting's poll for a while (no leave seen), and back.
        if (rnd() < (listed[i]![p] ? 0.04 : 0.4)) listed[i]![p] = !listed[i]![p];
        if (!listed[i]![p]) continue;
        if (rnd() < 0.15) continue; // missing this minute (a gap, longer when repeated)
        if (rnd() < 0.01) {
          events.push({ type: 'left', instance, participant: `p${p}`, at: T + m * MIN });
          continue;
        }
        const dc = rnd() < 0.05 ? 1 - home[i]![p]! : home[i]![p]!;
        const bad = rnd() < (trouble[dc] ? 0.75 : 0.2);
        // Now and then only video (muted): no reading for audio rules, whatever the context says.
        const names = rnd() < 0.1 ? ['video_input'] : STREAM_NAMES.filter(() => rnd() >= 0.15);
        // Often every stream reads the same (an average then lands where its streams do).
        const same = rnd() < 0.3 ? new Map<string, number>() : undefined;
        const streams: Record<string, StreamMetrics> = {};
        for (const name of names) {
          const s: Record<string, number> = {};
          for (const x of METRICS) {
            const v = same?.get(x.key) ?? value(x.key, bad, x.when, x.scale);
            same?.set(x.key, v);
            s[x.key] = v;
          }
          streams[name] = s;
        }
        backlog[i]!.push({
          instance,
          participant: { key: `p${p}`, name: `P${p}`, email: '', ip: '' },
          context: {
            // Now and then no data center or location (Zoom left it out): in no such group.
            ...(rnd() < 0.03 ? {} : { dataCenter: where.dc[dc] }),
            ...(rnd() < 0.03 ? {} : { location: where.location[dc] }),
            networkType: p < 2 !== rnd() < 0.1 ? 'Wifi' : 'Wired',
            device: 'Mac',
          },
          time: T + m * MIN,
          streams,
          ...(rnd() < 0.8 ? { cpu: { zoomAvg: value('cpu', bad, 'above', 1) } } : {}),
        });
      }
    });
    // Most polls bring one minute; some bring a backlog of two or three.
    if (rnd() < 0.7) poll(m, false);
    if (rnd() < 0.02) {
      const i = Math.floor(rnd() * 3);
      events.push({ type: 'ended', instance: meetings[i]!, at: T + m * MIN });
      backlog[i] = [];
    }
  }
  poll(minutes - 1, true);
  return events;
}

/**
 * A reload of `rules`: one rule removed, and in one kept rule the `for`, the filter, whether it
 * explains (a shared cause, most often one that does) or is held back when explained, or the
 * threshold changed; its series keep their state. Half the reloads also change a shared cause's
 * group_by: its alerts then resolve (rule_removed) and start again, as the engine does (b2fa053).
 */
function reloaded(rnd: () => number, rules: readonly Partial<RawRule>[], at: number): Reload {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rnd() * xs.length)]!;
  const gone = pick(rules).name;
  const kept = rules.filter((r) => r.name !== gone);
  const explaining = kept.filter((r) => r.explains);
  const changed = explaining.length && rnd() < 0.4 ? pick(explaining) : pick(kept);
  const next = { ...changed };
  const what = rnd();
  if (changed.scope === 'shared_cause' && what < 0.5) next.explains = !changed.explains;
  else if (changed.scope !== 'shared_cause' && what < 0.3)
    next.explained = { ...changed.explained, inhibit: changed.explained?.inhibit === false };
  else if (what < 0.6) next.for = pick(['0m', '1m', '2m']);
  else if (what < 0.8) {
    if (changed.filters) delete next.filters;
    else next.filters = { network_type: 'Wifi' };
  } else if (changed.metric === 'cpu_zoom_avg' || changed.recovery?.threshold === undefined)
    next.threshold = pick(
      changed.metric === 'cpu_zoom_avg'
        ? CPU.thresholds
        : METRICS.find((m) => m.metric === changed.metric)!.thresholds,
    );
  const after = kept.map((r) => (r === changed ? next : r));
  // Half the reloads also regroup a shared cause: another group_by.
  const shared = after.filter((r) => r.scope === 'shared_cause');
  if (shared.length && rnd() < 0.5) {
    const regrouped = pick(shared);
    const by = regrouped.group_by === 'data_center' ? 'network_type' : 'data_center';
    after[after.indexOf(regrouped)] = { ...regrouped, group_by: by };
  }
  return { type: 'reload', rules: after, at };
}

/**
 * The case of a seed: 10 random rules, a gap tolerance of 2 to 4 minutes and 40 minutes of
 * events; half the cases reload their rules once or twice, and 40% restart once.
 */
export function randomCase(seed: number): EngineCase {
  const rnd = seeded(seed);
  const rules = randomRules(rnd, 10);
  const gapMs = (2 + Math.floor(rnd() * 3)) * MIN;
  const events: CaseEvent[] = randomEvents(rnd, rules, 40);
  const places = Array.from({ length: rnd() < 0.5 ? 1 + Math.floor(rnd() * 2) : 0 }, () =>
    Math.floor(rnd() * events.length),
  ).sort((a, b) => b - a);
  let now = rules;
  for (const i of places.reverse()) {
    const before = events.slice(0, i).filter((e) => e.type === 'samples');
    const at = Math.max(T, ...before.flatMap((e) => e.samples.map((x) => x.time)));
    // A second reload goes back to the first rules half the time: a removed rule comes back.
    const reload =
      now !== rules && rnd() < 0.5 ? { type: 'reload' as const, rules, at } : reloaded(rnd, now, at);
    events.splice(i, 0, reload);
    now = reload.rules;
  }
  if (rnd() < 0.4) events.splice(Math.floor(rnd() * events.length), 0, { type: 'restart' });
  return { rules, gapMs, events };
}
