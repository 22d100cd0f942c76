import type { CompiledRule, RawRule } from '../../src/evaluate/rule-types.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { ParticipantContext, QosSample } from '../../src/normalize/sample.js';
import { shareOf } from '../../src/util/words.js';
import { referenceRound } from './reference-round.js';

/**
 * A rule as docs/rules.md describes it, read from the rule as written (not from what the
 * compiler made of it): thresholds, durations, aggregate, counting and explaining. Only the
 * filters and the stream groups' names are taken from the compiled rule.
 */
interface RefRule {
  name: string;
  scope: 'participant' | 'instance' | 'shared_cause';
  above: boolean;
  threshold: number;
  recoveryThreshold: number;
  forMs: number;
  recoveryForMs: number;
  avg: boolean;
  read: (s: QosSample, stream?: string) => number | undefined;
  perStream: boolean;
  streams: readonly string[];
  matches: (s: QosSample) => boolean;
  count?: number;
  ratio?: number;
  minParticipants: number;
  groupBy?: 'data_center' | 'network_type' | 'location';
  explains: boolean;
  explainedRatio: number;
  inhibit: boolean;
}

/** Base units: latency and jitter in seconds, losses and CPU as a share (0 to 1), frame rates in fps. */
function quantity(text: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|%|fps)$/.exec(String(text));
  if (!m) throw new Error(`reference: no unit in ${String(text)}`);
  // The decimal as written, scaled before it is rounded to a double ("1.1%" is 0.011).
  return Number(m[2] === 'ms' ? `${m[1]}e-3` : m[2] === '%' ? `${m[1]}e-2` : m[1]);
}
const minutes = (text?: string): number => {
  if (!text) return 0;
  const m = /^(\d+)m$/.exec(text);
  if (!m) throw new Error(`reference: not minutes: ${text}`);
  return Number(m[1]) * 60_000;
};
/** Where the metrics the property test uses are in a sample. */
const STREAM_KEYS: Record<string, string> = {
  latency: 'latency',
  jitter: 'jitter',
  avg_loss: 'avgLoss',
  frame_rate: 'frameRate',
};

function refRule(raw: Partial<RawRule>, compiled: CompiledRule): RefRule {
  const key = STREAM_KEYS[raw.metric!];
  if (!key && raw.metric !== 'cpu_zoom_avg') throw new Error(`reference: metric ${raw.metric}`);
  const threshold = quantity(raw.threshold!);
  return {
    name: raw.name!,
    scope: raw.scope ?? 'participant',
    above: raw.when === 'above',
    threshold,
    recoveryThreshold: raw.recovery?.threshold === undefined ? threshold : quantity(raw.recovery.threshold),
    forMs: minutes(raw.for),
    recoveryForMs: minutes(raw.recovery?.for),
    avg: raw.aggregate === 'avg',
    perStream: key !== undefined,
    read: key
      ? (s, stream) => (s.streams[stream!] as Record<string, number | undefined> | undefined)?.[key]
      : (s) => s.cpu?.zoomAvg,
    streams: compiled.streams,
    matches: (s) => compiled.matches(s),
    ...(raw.breaching?.count !== undefined ? { count: raw.breaching.count } : {}),
    ...(raw.breaching?.ratio !== undefined ? { ratio: quantity(raw.breaching.ratio) } : {}),
    minParticipants: raw.min_participants ?? 3,
    ...(raw.group_by ? { groupBy: raw.group_by as 'data_center' | 'network_type' | 'location' } : {}),
    explains: raw.explains === true,
    explainedRatio: raw.explained?.ratio ? quantity(raw.explained.ratio) : 1,
    inhibit: raw.explained?.inhibit ?? true,
  };
}

type State = 'inactive' | 'pending' | 'firing';

interface Ref {
  id: string;
  rule: RefRule;
  state: State;
  /** Sample time of the newest observation. */
  lastTime: number;
  pendingSince?: number;
  /** When it last fired (sample time). */
  firingSince?: number;
  recoveringSince?: number;
  /** The meeting (instance key) of a participant or instance alert. */
  instance?: string;
  participant?: string;
  /** A participant alert: the participant's name and context in the newest sample it observed. */
  name?: string;
  context?: ParticipantContext;
  /** Shared causes: how many meetings the breaching members are in. */
  meetings?: number;
  explainedBy?: string;
  explanation?: string;
  /**
   * A firing meeting or shared cause: `fresh`, a member whose reading breached left its group
   * (left the meeting, its meeting ended, or it moved out) since the alert was last observed
   * breaching or not recovering, and its resolve then says they left, not recovered; `moved`, one
   * of them (since it fired) moved out still in the meeting, and its resolve says `moved`.
   */
  departed?: { fresh: boolean; moved: boolean };
  /**
   * The episode's observations (from the breach that made it pending): each sample time's
   * value, a later observation at the same time replacing the earlier one. Its worst is how bad
   * the alert got (`worst`).
   */
  seen: Map<number, number>;
}

/** Why a resolved alert resolved (Alert.reason). */
type Reason = 'recovered' | 'left' | 'ended' | 'rule_removed' | 'moved';

/** A member's newest reading in a group, with the context and meeting of the sample it came from. */
interface Reading {
  time: number;
  breaching: boolean;
  /** Its value: whether it is past the recovery threshold is read with the rule as it is when judged (a reload may have changed it). */
  value: number;
  uuid: string;
  context: ParticipantContext;
}

/** An alert change or an active alert as the reference says it: what the property test compares. */
export interface RefAlert {
  id: string;
  previous?: State | 'resolved';
  state: State | 'resolved';
  /** A resolve: why. */
  reason?: Reason;
  explainedBy?: string;
  inhibitedBy?: string;
  explanation?: string;
  meetings?: number;
  /** How bad it got, and when (firing, resolved and active alerts): see ReferenceEngine.worst. */
  worst?: number;
  worstAt?: number;
}

const ikeyOf = (s: QosSample): string => `${s.instance.kind}:${s.instance.uuid}`;
const CONTEXT_KEY = { data_center: 'dataCenter', network_type: 'networkType', location: 'location' } as const;

/**
 * The rule engine written the straightforward way from docs/rules.md, for the property test
 * of the real one: per sample and rule, the value over the rule's streams and the threshold;
 * a Map of series by id, each with the lifecycle of "Lifecycle"; members' newest readings per
 * group; and "One cause, one page": which firing shared cause explains a participant or meeting
 * alert, when the link is made, and when it is looked at again. It renders no text but the
 * explanation.
 */
export class ReferenceEngine {
  readonly series = new Map<string, Ref>();
  /** rule -> group -> member -> newest reading. */
  private readonly members = new Map<string, Map<string, Map<string, Reading>>>();
  private rules: RefRule[] = [];
  /**
   * Shared causes that explain, in rule order: of those firing for a context, the one that
   * fired first explains it, and of those that fired in the same minute, the first listed.
   */
  private explaining: RefRule[] = [];
  /** An explaining incident fired or resolved in the sample time being evaluated. */
  private causesChanged = false;
  /** After a restart: meetings whose members were kept and that have not reported since. */
  private readonly awaited = new Set<string>();

  constructor(
    raw: readonly Partial<RawRule>[],
    compiled: readonly CompiledRule[],
    private readonly gapToleranceMs: number,
  ) {
    this.reload(raw, compiled);
  }

  /**
   * A rule reload: alerts of rules still there keep their state (and are read by the new rule
   * from now on); a firing alert of a rule that is gone, or whose scope or group_by changed,
   * resolves (`rule_removed`), as it was explained (when: the property test does not compare it).
   */
  reload(raw: readonly Partial<RawRule>[], compiled: readonly CompiledRule[]): RefAlert[] {
    const before = this.rules;
    this.rules = raw.map((r, i) => refRule(r, compiled[i]!));
    this.explaining = this.rules.filter((r) => r.scope === 'shared_cause' && r.explains);
    const out: RefAlert[] = [];
    /** Rules whose scope or group_by the reload changed: their alerts and members start again. */
    const regrouped = new Set(
      this.rules
        .filter((r) =>
          before.some((o) => o.name === r.name && (o.scope !== r.scope || o.groupBy !== r.groupBy)),
        )
        .map((r) => r.name),
    );
    for (const rec of [...this.series.values()]) {
      const rule = this.rules.find((r) => r.name === rec.rule.name);
      if (rule && !regrouped.has(rule.name)) rec.rule = rule;
      else this.resolve(rec, out, 'rule_removed');
    }
    for (const name of [...this.members.keys()])
      if (regrouped.has(name) || !this.rules.some((r) => r.name === name)) this.members.delete(name);
    return out;
  }

  /**
   * A restart: pending and firing alerts are kept, with the member readings of the groups that
   * have one (the others are forgotten). Until each meeting whose members were kept has
   * reported again (or ended), a group is not judged at a minute for which such a member's
   * reading is not known (too old to count).
   */
  restart(): RefAlert[] {
    this.awaited.clear();
    for (const [name, byGroup] of this.members)
      for (const [group, m] of byGroup) {
        if (!this.series.has(`${name}|${group}`)) byGroup.delete(group);
        else for (const who of m.keys()) this.awaited.add(who.slice(0, who.lastIndexOf('/')));
      }
    return [];
  }

  private value(rule: RefRule, s: QosSample): number | undefined {
    if (!rule.perStream) return rule.read(s);
    const vs: number[] = [];
    for (const stream of Object.keys(s.streams)) {
      if (!rule.streams.includes(stream)) continue;
      const v = rule.read(s, stream);
      if (v !== undefined) vs.push(v);
    }
    if (!vs.length) return undefined;
    // An average to twelve significant digits (docs/rules.md), rounded by the reference's own
    // exact rounding (reference-round.ts), not average.ts's; of one value, that value.
    if (rule.avg) return vs.length === 1 ? vs[0] : referenceRound(vs.reduce((a, b) => a + b, 0) / vs.length);
    return rule.above ? Math.max(...vs) : Math.min(...vs);
  }

  /** Readings exactly on a threshold or recovery threshold (the property test checks there are many). */
  onThreshold = 0;

  private breaches(rule: RefRule, v: number): boolean {
    if (v === rule.threshold || v === rule.recoveryThreshold) this.onThreshold++;
    return rule.above ? v > rule.threshold : v < rule.threshold;
  }

  handle(event: PipelineEvent): RefAlert[] {
    const out: RefAlert[] = [];
    if (event.type === 'left')
      this.leave(`${event.instance.kind}:${event.instance.uuid}`, event.participant, out);
    if (event.type === 'ended') this.end(`${event.instance.kind}:${event.instance.uuid}`, out);
    if (event.type === 'polled')
      this.polled(`${event.instance.kind}:${event.instance.uuid}`, event.present, out);
    if (event.type !== 'samples') return out;
    for (const s of event.samples) this.awaited.delete(ikeyOf(s));
    const times = [...new Set(event.samples.map((s) => s.time))].sort((a, b) => a - b);
    for (const t of times) {
      const now = event.samples.filter((s) => s.time === t);
      this.causesChanged = false;
      this.groups(now, t, times.at(-1)!, out);
      for (const s of now)
        for (const rule of this.rules) {
          if (rule.scope !== 'participant') continue;
          const id = `${rule.name}|${ikeyOf(s)}/${s.participant.key}`;
          // A join its filters no longer match: its series reads a recovered reading.
          const inScope = rule.matches(s);
          if (!inScope && !this.series.has(id)) continue;
          const v = this.value(rule, s);
          if (v === undefined) continue;
          const recovered =
            !inScope || (rule.above ? v <= rule.recoveryThreshold : v >= rule.recoveryThreshold);
          this.observe(
            rule,
            id,
            // Out of scope, its series keeps the context it was in scope with.
            inScope
              ? {
                  instance: ikeyOf(s),
                  participant: s.participant.key,
                  name: s.participant.name,
                  context: s.context,
                }
              : {},
            s.time,
            v,
            inScope && this.breaches(rule, v),
            recovered,
            out,
          );
        }
      // An explaining incident fired or resolved: firing alerts it now explains are linked to it.
      if (this.causesChanged)
        for (const rec of this.series.values()) {
          if (rec.state !== 'firing' || rec.rule.scope === 'shared_cause' || rec.explainedBy) continue;
          this.explain(rec);
          if (rec.explainedBy) out.push(this.change(rec, 'firing', 'firing'));
        }
    }
    return out;
  }

  /** Pending and firing alerts now. A pending alert says what would explain it now. */
  active(): RefAlert[] {
    return [...this.series.values()].map((rec) => {
      const now = rec.state === 'pending' ? this.explainer(rec) : undefined;
      const by = now ? now.id : rec.explainedBy;
      const explanation = now ? `explained by ${now.id}: ${now.text}` : rec.explanation;
      return {
        id: rec.id,
        state: rec.state,
        ...(by ? { explainedBy: by } : {}),
        ...(by && rec.rule.inhibit ? { inhibitedBy: by } : {}),
        ...(explanation ? { explanation } : {}),
        ...(rec.meetings !== undefined ? { meetings: rec.meetings } : {}),
        ...this.worst(rec),
      };
    });
  }

  /**
   * The worst value of an alert's episode, straight from its observations: the highest for a
   * rule `above` and for a meeting's or shared cause's share of members breaching, the lowest for
   * one `below`; of equal ones, the first.
   */
  private worst(rec: Ref): { worst: number; worstAt: number } {
    const up = rec.rule.scope !== 'participant' || rec.rule.above;
    let best: { worst: number; worstAt: number } | undefined;
    for (const [t, v] of [...rec.seen].sort((a, b) => a[0] - b[0]))
      if (!best || (up ? v > best.worst : v < best.worst)) best = { worst: v, worstAt: t };
    return best!;
  }

  private change(rec: Ref, previous: State, state: RefAlert['state'], reason?: Reason): RefAlert {
    if (state === 'pending') return { id: rec.id, previous, state };
    return {
      id: rec.id,
      previous,
      state,
      ...(reason ? { reason } : {}),
      ...(rec.explainedBy ? { explainedBy: rec.explainedBy } : {}),
      ...(rec.explainedBy && rec.rule.inhibit ? { inhibitedBy: rec.explainedBy } : {}),
      ...(rec.explanation ? { explanation: rec.explanation } : {}),
      ...this.worst(rec),
    };
  }

  private firing = (id: string): boolean => this.series.get(id)?.state === 'firing';

  /** Whether a participant alert's newest context is in the group of incident `id` (rule|group). */
  private inGroupOf(rec: Ref, id: string): boolean {
    const cause = this.series.get(id)!;
    return rec.context?.[CONTEXT_KEY[cause.rule.groupBy!]] === id.slice(cause.rule.name.length + 1);
  }

  /**
   * The firing incident whose group a participant context is in: of several, the one that
   * fired first, and of those that fired in the same minute, the first listed.
   */
  private causeOf(c: ParticipantContext): { id: string; rule: RefRule; value: string } | undefined {
    let first: { id: string; rule: RefRule; value: string; at: number } | undefined;
    for (const rule of this.explaining) {
      const value = c[CONTEXT_KEY[rule.groupBy!]];
      const rec = value ? this.series.get(`${rule.name}|${value}`) : undefined;
      if (rec?.state === 'firing' && (!first || rec.firingSince! < first.at))
        first = { id: rec.id, rule, value: value!, at: rec.firingSince! };
    }
    return first;
  }

  /**
   * What explains an alert now: a participant alert, the incident its participant is in; a
   * meeting alert, the incident that its breaching participants (at its newest observation, as
   * their readings were) are in, when they make up `explained.ratio` of them (default all).
   */
  private explainer(rec: Ref): { id: string; text: string } | undefined {
    if (rec.rule.scope === 'participant') {
      const cause = this.causeOf(rec.context!);
      return cause && { id: cause.id, text: `${rec.name!} is in ${cause.rule.groupBy!} ${cause.value}` };
    }
    if (rec.rule.scope !== 'instance') return undefined;
    let breaching = 0;
    const byCause = new Map<string, { n: number; groupBy: string; value: string }>();
    for (const r of this.members.get(rec.rule.name)?.get(rec.instance!)?.values() ?? []) {
      if (!r.breaching || r.time > rec.lastTime || r.time < rec.lastTime - this.gapToleranceMs) continue;
      breaching++;
      const cause = this.causeOf(r.context);
      if (!cause) continue;
      const e = byCause.get(cause.id) ?? { n: 0, groupBy: cause.rule.groupBy!, value: cause.value };
      e.n++;
      byCause.set(cause.id, e);
    }
    // The property test's ratios are above 50%: at most one incident can reach one.
    for (const [id, { n, groupBy, value }] of byCause)
      if (n / breaching >= rec.rule.explainedRatio)
        return {
          id,
          text: `${shareOf(n, breaching, 'breaching participant')} ${n === 1 ? 'is' : 'are'} in ${groupBy} ${value}`,
        };
    return undefined;
  }

  private explain(rec: Ref): void {
    const e = this.explainer(rec);
    if (e) {
      rec.explainedBy = e.id;
      rec.explanation = `explained by ${e.id}: ${e.text}`;
    } else {
      delete rec.explainedBy;
      delete rec.explanation;
    }
  }

  /**
   * One observation, through the lifecycle: inactive -> pending (a breach) -> firing (the breach
   * held for `for`, in sample time) -> resolved (past the recovery threshold for `recovery.for`);
   * a pending alert that stops breaching is cancelled quietly; a gap longer than gap_tolerance
   * starts the pending and recovery clocks again; an observation older than the newest is ignored.
   */
  private observe(
    rule: RefRule,
    id: string,
    where: Partial<Ref>,
    time: number,
    value: number,
    breaching: boolean,
    recovered: boolean,
    out: RefAlert[],
  ): void {
    let rec = this.series.get(id);
    if (!rec && !breaching) return;
    if (!rec) this.series.set(id, (rec = { id, rule, state: 'inactive', lastTime: 0, seen: new Map() }));
    if (time < rec.lastTime) return;
    Object.assign(rec, where);
    rec.seen.set(time, value);
    const gap = rec.lastTime > 0 && time - rec.lastTime > this.gapToleranceMs;
    rec.lastTime = time;
    const before = rec.state;
    let now: RefAlert['state'] | 'cancelled' | undefined;
    if (rec.state === 'inactive' && breaching) {
      rec.pendingSince = time;
      rec.state = 'pending';
      now = 'pending';
    } else if (rec.state === 'pending' && !breaching) now = 'cancelled';
    else if (rec.state === 'pending' && gap) rec.pendingSince = time;
    if (rec.state === 'pending' && breaching && time - rec.pendingSince! >= rule.forMs) now = 'firing';
    if (rec.state === 'firing') {
      if (!recovered) delete rec.recoveringSince;
      else {
        if (gap || rec.recoveringSince === undefined) rec.recoveringSince = time;
        if (time - rec.recoveringSince >= rule.recoveryForMs) now = 'resolved';
      }
    }
    if (rule.explains && (now === 'firing' || now === 'resolved')) this.causesChanged = true;
    if (now === 'firing') {
      rec.state = 'firing';
      rec.firingSince = time;
      this.explain(rec); // the link is made when it fires
    } else if (now === 'cancelled' || now === 'resolved') this.series.delete(id);
    else if (
      !now &&
      rec.state === 'firing' &&
      breaching &&
      rec.explainedBy &&
      (!this.firing(rec.explainedBy) ||
        (rule.scope === 'participant' && !this.inGroupOf(rec, rec.explainedBy)))
    ) {
      // Its incident resolved first, or it moved out of the incident's group, and it still
      // breaches: another incident explains it now, or it stands on its own and is sent.
      this.explain(rec);
      if (!rec.explainedBy) out.push(this.change(rec, 'firing', 'firing'));
    }
    // Observed breaching, or not recovering: members who left before do not explain its resolve.
    if (rec.state === 'firing' && rec.recoveringSince === undefined && rec.departed)
      rec.departed.fresh = false;
    const d = rec.departed;
    const reason = now !== 'resolved' ? undefined : !d?.fresh ? 'recovered' : d.moved ? 'moved' : 'left';
    if (now && now !== 'cancelled') out.push(this.change(rec, before, now, reason));
  }

  /**
   * Group observations at `t`. None is made while a member has a reading newer than `t` that
   * the samples at hand also reach (`end`, their newest time): another instance's backlog came
   * first, and this one's view at `t` would lack it.
   */
  private groups(now: QosSample[], t: number, end: number, out: RefAlert[]): void {
    const touched = new Map<RefRule, Set<string>>();
    for (const rule of this.rules) {
      if (rule.scope === 'participant') continue;
      for (const s of now) {
        const v = this.value(rule, s);
        if (v === undefined) continue;
        const matched = rule.matches(s);
        const group = !matched
          ? undefined
          : rule.scope === 'instance'
            ? ikeyOf(s)
            : s.context[CONTEXT_KEY[rule.groupBy!]] || undefined;
        const byGroup = this.members.get(rule.name) ?? new Map<string, Map<string, Reading>>();
        this.members.set(rule.name, byGroup);
        const who = `${ikeyOf(s)}/${s.participant.key}`;
        // No group value is missing data while the member's reading in its group is within gap_tolerance.
        if (
          matched &&
          group === undefined &&
          [...byGroup.values()].some((m) => held(m.get(who), s.time, this.gapToleranceMs))
        )
          continue;
        // A member whose reading puts it in another group, or in none (the filters no longer
        // match it, or its group value went missing), leaves its old one, judged again without it.
        for (const [other, om] of byGroup)
          if (other !== group && this.depart(`${rule.name}|${other}`, om, who, 'moved'))
            touched.set(rule, (touched.get(rule) ?? new Set()).add(other));
        if (group === undefined) continue;
        const m = byGroup.get(group) ?? new Map<string, Reading>();
        byGroup.set(group, m);
        const old = m.get(who);
        if (!old || old.time <= s.time)
          m.set(who, {
            time: s.time,
            breaching: this.breaches(rule, v),
            value: v,
            uuid: s.instance.uuid,
            context: s.context,
          });
        touched.set(rule, (touched.get(rule) ?? new Set()).add(group));
      }
    }
    // Shared causes first: a meeting alert firing now already knows whether one explains it.
    for (const scope of ['shared_cause', 'instance'])
      for (const [rule, groups] of touched) {
        if (rule.scope !== scope) continue;
        for (const group of groups) {
          if (this.members.get(rule.name)!.get(group)!.size === 0) {
            this.resolveEmptied([`${rule.name}|${group}`], out, 'moved'); // its last member moved away
            continue;
          }
          let total = 0;
          let breaching = 0;
          /** Members not back past the recovery threshold. */
          let still = 0;
          /** Members gone silent (newest reading older than gap_tolerance, not left) and not back. */
          let silent = 0;
          let late = false;
          /** Past the recovery threshold (hysteresis: between the two thresholds it is neither). */
          const back = (v: number): boolean =>
            rule.above ? v <= rule.recoveryThreshold : v >= rule.recoveryThreshold;
          const meetings = new Set<string>();
          /** The meetings of members breaching as they last read, those gone silent too. */
          const lastRead = new Set<string>();
          /** Members as they last read, those gone silent too, and how many of them breach. */
          let readTotal = 0;
          let readBreaching = 0;
          for (const [who, r] of this.members.get(rule.name)!.get(group)!) {
            if (r.time <= t) readTotal++;
            if (r.time <= t && r.breaching) {
              readBreaching++;
              lastRead.add(r.uuid);
            }
            if (r.time > t && r.time <= end) late = true;
            if (r.time < t - this.gapToleranceMs && this.awaited.has(who.slice(0, who.lastIndexOf('/'))))
              late = true; // not known yet
            if (r.time <= t && r.time >= t - this.gapToleranceMs) {
              total++;
              if (!back(r.value)) still++;
              if (r.breaching) {
                breaching++;
                meetings.add(r.uuid);
              }
            } else if (r.time < t - this.gapToleranceMs && !back(r.value)) silent++;
          }
          if (!total || late) continue;
          const meets = (n: number, of: number): boolean =>
            rule.count !== undefined ? n >= rule.count : n / of >= (rule.ratio ?? 1);
          const isBreach = total >= rule.minParticipants && meets(breaching, total);
          // A firing one is back when fewer than `breaching` of its members are not back, a
          // member gone silent counting as it last read; with fewer members than
          // min_participants or the count (others left), when none is: members who went silent
          // or left are no recovery.
          const all = total + silent;
          const tooFew = all < Math.max(rule.minParticipants, rule.count ?? 0);
          const recovered = !isBreach && (tooFew ? still + silent === 0 : !meets(still + silent, all));
          // Firing, held by silent members (not breaching, not back): counted as they last read.
          const held = !isBreach && !recovered && this.firing(`${rule.name}|${group}`);
          const where =
            rule.scope === 'instance' ? { instance: group } : { meetings: (held ? lastRead : meetings).size };
          // Its value: the share of its members breaching, those gone silent counted as they
          // last read while they hold it firing.
          const share = held ? readBreaching / readTotal : breaching / total;
          this.observe(rule, `${rule.name}|${group}`, where, t, share, isBreach, recovered, out);
        }
      }
  }

  /** A participant who left, or a meeting that ended: its firing alerts resolve as they are explained. */
  private resolve(rec: Ref, out: RefAlert[], reason: Reason): void {
    this.series.delete(rec.id);
    if (rec.state === 'firing') out.push(this.change(rec, 'firing', 'resolved', reason));
  }

  /**
   * Member `who` leaves group `m` (series `id`), having left the meeting or moved out: a
   * breaching one, while the group's alert fires, is one who left (Ref.departed). Returns
   * whether it was a member.
   */
  private depart(id: string, m: Map<string, Reading>, who: string, how: 'left' | 'moved'): boolean {
    const r = m.get(who);
    if (!r) return false;
    m.delete(who);
    const rec = this.series.get(id);
    if (r.breaching && rec?.state === 'firing')
      rec.departed = { fresh: true, moved: how === 'moved' || rec.departed?.moved === true };
    return true;
  }

  private leave(ikey: string, participant: string, out: RefAlert[]): void {
    for (const rec of [...this.series.values()])
      if (rec.instance === ikey && rec.participant === participant) this.resolve(rec, out, 'left');
    const emptied: string[] = [];
    for (const [name, byGroup] of this.members)
      for (const [group, m] of byGroup)
        if (this.depart(`${name}|${group}`, m, `${ikey}/${participant}`, 'left') && m.size === 0)
          emptied.push(`${name}|${group}`);
    this.resolveEmptied(emptied, out, 'left');
  }

  /** Group alerts whose every member has gone resolve as their members' own alerts do. */
  private resolveEmptied(ids: readonly string[], out: RefAlert[], reason: Reason): void {
    for (const id of ids) {
      const rec = this.series.get(id);
      if (rec) this.resolve(rec, out, reason);
    }
  }

  /**
   * A poll of a meeting: it has reported (after a restart it is not awaited any more), and
   * whoever it does not list has gone, as a participant who leaves (their alerts, and their
   * readings in every group).
   */
  private polled(ikey: string, present: readonly string[], out: RefAlert[]): void {
    this.awaited.delete(ikey);
    const known = new Set<string>();
    for (const rec of this.series.values())
      if (rec.instance === ikey && rec.participant !== undefined) known.add(rec.participant);
    for (const byGroup of this.members.values())
      for (const m of byGroup.values())
        for (const who of m.keys()) if (who.startsWith(`${ikey}/`)) known.add(who.slice(ikey.length + 1));
    for (const p of known) if (!present.includes(p)) this.leave(ikey, p, out);
  }

  private end(ikey: string, out: RefAlert[]): void {
    this.awaited.delete(ikey);
    for (const rec of [...this.series.values()]) if (rec.instance === ikey) this.resolve(rec, out, 'ended');
    const emptied: string[] = [];
    for (const [name, byGroup] of this.members) {
      // A meeting rule's group of the instance; a shared cause's groups are values, whatever they read.
      if (this.rules.find((r) => r.name === name)?.scope === 'instance') byGroup.delete(ikey);
      for (const [group, m] of byGroup) {
        let dropped = false;
        for (const k of [...m.keys()])
          if (k.startsWith(`${ikey}/`)) dropped = this.depart(`${name}|${group}`, m, k, 'left') || dropped;
        if (dropped && m.size === 0) emptied.push(`${name}|${group}`);
      }
    }
    this.resolveEmptied(emptied, out, 'ended');
  }
}

/** Whether a member's reading still holds it in its group at `time` (at most gap_tolerance old). */
const held = (r: Reading | undefined, time: number, gap: number): boolean =>
  r !== undefined && time - r.time <= gap;
