import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import type { InstanceRef, ParticipantContext, QosSample } from '../normalize/sample.js';
import { instanceKey, type PipelineEvent } from '../normalize/events.js';
import type { Alert, AlertChange, AlertContext, AlertState, ResolveReason } from './alert.js';
import { withheldContext, withheldGroup } from './withheld.js';
import { step, type Series, type Timing } from './lifecycle.js';
import type { CompiledRule, GroupField } from './rule-types.js';
import { participantName } from './names.js';
import { hasSection, render } from './templates.js';
import { formatValue } from './thresholds.js';
import { humanDuration, plural, possessive, shareOf } from '../util/words.js';

/** One alert series: the lifecycle plus what the alert says. Only non-inactive series are kept. */
export interface SeriesRecord extends Series {
  id: string;
  rule: string;
  instance?: string;
  participantKey?: string;
  group?: string;
  context: AlertContext;
  breaching?: number;
  participants?: number;
  /** Shared-cause incidents: how many instances the members come from. */
  meetings?: number;
  /** Whether the newest observation breached (not merely "not yet recovered"). */
  breachingNow?: boolean;
  /** When the breach that made it fire began (sample time); set once when it fires, never moved. */
  since?: number;
  /** Sample time the alert stopped breaching for good (start of the recovery that resolved it). */
  clearedAt?: number;
  /** The shared-cause alert that explains this one, and why in words (see `explain`). */
  explainedBy?: string;
  explanation?: string;
}

/** A member's newest reading in an instance or shared-cause group. */
export interface Member {
  time: number;
  breaching: boolean;
  value: number;
  context: ParticipantContext;
  instance: InstanceRef;
}

/** All evaluation state: plain data, so it can be saved and restored. */
export interface EngineState {
  series: Map<string, SeriesRecord>;
  /**
   * instance and shared_cause rules: rule -> instance key or group value -> member key -> newest
   * reading. Those of groups with an alert series are saved with it (state-store.ts): after a
   * restart the first instance polled must not be judged alone, as if it were the whole group.
   */
  members: Map<string, Map<string, Map<string, Member>>>;
}

export const newState = (): EngineState => ({ series: new Map(), members: new Map() });

/** Where each `group_by` field sits in a sample's context. */
const GROUP_CONTEXT = Object.fromEntries(CONTEXT_FIELDS.map((f) => [f.rule, f.key])) as Record<
  GroupField,
  keyof ParticipantContext
>;

export interface EngineOptions {
  gapToleranceMs: number;
}

/** The value a rule reads from one sample: the worst (or average) over its streams; undefined when missing. */
/**
 * The value a rule reads from one sample: the worst (or average) over its streams; undefined
 * when missing. Allocation-free: it runs for every sample and rule of a cycle.
 */
export function ruleValue(rule: CompiledRule, s: QosSample): number | undefined {
  if (!rule.metric.perStream) return rule.metric.read(s);
  let best: number | undefined;
  let sum = 0;
  let n = 0;
  for (const stream in s.streams) {
    if (!rule.streamSet.has(stream)) continue;
    const v = rule.metric.read(s, stream);
    if (v === undefined) continue;
    sum += v;
    n++;
    if (best === undefined || (rule.above ? v > best : v < best)) best = v;
  }
  if (best === undefined) return undefined;
  return rule.aggregate === 'avg' ? sum / n : best;
}

/** The stream with the worst value, for the alert's context (only when an alert series is touched). */
function worstStream(rule: CompiledRule, s: QosSample): string | undefined {
  if (!rule.metric.perStream) return undefined;
  let best: number | undefined;
  let name: string | undefined;
  for (const stream in s.streams) {
    if (!rule.streamSet.has(stream)) continue;
    const v = rule.metric.read(s, stream);
    if (v !== undefined && (best === undefined || (rule.above ? v > best : v < best))) {
      best = v;
      name = stream;
    }
  }
  return name;
}

const breaches = (r: CompiledRule, v: number): boolean => (r.above ? v > r.threshold : v < r.threshold);
const recovers = (r: CompiledRule, v: number): boolean =>
  r.above ? v <= r.recoveryThreshold : v >= r.recoveryThreshold;

function participantContext(s: QosSample, otherDevices: boolean, stream?: string): AlertContext {
  const c = s.context;
  return {
    kind: s.instance.kind,
    instanceId: s.instance.id,
    uuid: s.instance.uuid,
    topic: s.instance.topic,
    // `label` names the device when the person is on two at once (poll/joins.ts); else a
    // guest gets a readable name and a same-name second join says its device (names.ts).
    participant: s.participant.label || participantName(s, otherDevices),
    participantKey: s.participant.key,
    ...c,
    ...(c.version ? { clientVersion: c.version } : {}),
    ...(stream ? { stream } : {}),
  };
}

/**
 * Evaluates rules against pipeline events. `handle` is a function of (state, event) alone: no
 * clock, no I/O; sample times drive every duration. Rules are compiled once; a cycle of
 * samples costs one pass per rule.
 */
export class RuleEngine {
  private byName = new Map<string, CompiledRule>();
  private participantRules: CompiledRule[] = [];
  private groupRules: CompiledRule[] = [];
  private muteRules: CompiledRule[] = [];
  private timing = new Map<string, Timing>();

  constructor(
    private rules: CompiledRule[],
    private readonly opts: EngineOptions,
    readonly state: EngineState = newState(),
  ) {
    this.setRules(rules);
  }

  /** Swaps the rule set (reload). Alerts of rules that still exist keep their state. */
  setRules(rules: CompiledRule[]): void {
    this.rules = rules;
    this.byName = new Map(rules.map((r) => [r.name, r]));
    this.participantRules = rules.filter((r) => r.scope === 'participant');
    this.muteRules = rules.filter((r) => r.scope === 'shared_cause' && r.explains);
    this.firingGroups = undefined;
    this.groupRules = rules.filter((r) => r.scope !== 'participant');
    this.timing = new Map(
      rules.map((r) => [
        r.name,
        { forMs: r.forMs, recoveryForMs: r.recoveryForMs, gapToleranceMs: this.opts.gapToleranceMs },
      ]),
    );
    for (const s of [...this.state.series.values()]) if (!this.byName.has(s.rule)) this.drop(s);
    this.withSeries.clear();
    for (const s of this.state.series.values())
      if (s.participantKey && s.instance) this.countSeries(`${s.instance}/${s.participantKey}`, 1);
    for (const name of this.state.members.keys()) if (!this.byName.has(name)) this.state.members.delete(name);
  }

  get ruleList(): readonly CompiledRule[] {
    return this.rules;
  }

  handle(event: PipelineEvent): AlertChange[] {
    switch (event.type) {
      case 'samples':
        return this.samples(event.samples);
      case 'left':
        return this.leave(instanceKey(event.instance), new Set([event.participant]), event.at, 'left');
      case 'polled': {
        const key = instanceKey(event.instance);
        const present = new Set(event.present);
        const gone = new Set<string>();
        for (const s of this.state.series.values())
          if (s.instance === key && s.participantKey && !present.has(s.participantKey))
            gone.add(s.participantKey);
        return gone.size ? this.leave(key, gone, event.at, 'left') : [];
      }
      case 'ended':
        return this.end(instanceKey(event.instance), event.at);
    }
  }

  /** Ends everything of instances that are not live any more (after a restart, say). */
  reconcile(liveInstances: ReadonlySet<string>, at: number): AlertChange[] {
    const gone = new Set<string>();
    for (const s of this.state.series.values())
      if (s.instance && !liveInstances.has(s.instance)) gone.add(s.instance);
    return [...gone].flatMap((i) => this.end(i, at));
  }

  /** Participants (instance/participant) with any alert series, and how many: a healthy participant costs one lookup per sample, not one per rule. */
  private readonly withSeries = new Map<string, number>();

  private countSeries(participant: string, delta: number): void {
    const n = (this.withSeries.get(participant) ?? 0) + delta;
    if (n > 0) this.withSeries.set(participant, n);
    else this.withSeries.delete(participant);
  }

  private drop(rec: SeriesRecord): void {
    if (!this.state.series.delete(rec.id)) return;
    if (rec.participantKey && rec.instance) this.countSeries(`${rec.instance}/${rec.participantKey}`, -1);
  }

  private record(
    id: string,
    rule: CompiledRule,
    init: Omit<SeriesRecord, 'id' | 'rule' | keyof Series>,
  ): SeriesRecord {
    let s = this.state.series.get(id);
    if (!s) {
      s = { id, rule: rule.name, state: 'inactive', lastTime: 0, value: 0, ...init };
      this.state.series.set(id, s);
      if (s.participantKey && s.instance) this.countSeries(`${s.instance}/${s.participantKey}`, 1);
    } else Object.assign(s, init);
    return s;
  }

  private apply(
    rule: CompiledRule,
    rec: SeriesRecord,
    time: number,
    value: number,
    recovered: boolean,
    breaching: boolean,
  ): AlertChange | undefined {
    const before: AlertState | 'inactive' = rec.state;
    const recoveringSince = rec.recoveringSince;
    const t = step(rec, { time, value, breaching, recovered }, this.timing.get(rule.name)!);
    rec.breachingNow = breaching;
    if (t && rec.group) {
      this.firingGroups = undefined;
      if (rule.explains && (t === 'firing' || t === 'resolved')) this.causesChanged = true;
    }
    if (t === 'firing') {
      rec.since = rec.pendingSince ?? time;
      delete rec.clearedAt;
      if (!rec.group) this.explain(rec);
    } else if (t === 'resolved') rec.clearedAt = recoveringSince ?? time;
    else if (
      !t &&
      rec.state === 'firing' &&
      breaching &&
      rec.explainedBy &&
      !this.isFiring(rec.explainedBy)
    ) {
      // Its cause resolved first and it still breaches: it stands on its own now, and is sent.
      this.explain(rec);
      if (!rec.explainedBy)
        return { state: 'firing', alert: this.toAlert(rule, rec, 'firing'), previous: 'firing' };
    }
    if (rec.state === 'inactive') this.drop(rec);
    if (!t || t === 'cancelled') return undefined;
    if (t !== 'pending') return { state: t, alert: this.toAlert(rule, rec, t), previous: before };
    // Pending changes go unread by notifiers; in a storm rendering each one would dominate a
    // cycle, so it is rendered from a snapshot only if someone reads it.
    const snapshot: SeriesRecord = { ...rec, context: { ...rec.context } };
    let alert: Alert | undefined;
    const render = (): Alert => (alert ??= this.toAlert(rule, snapshot, 'pending'));
    return {
      state: 'pending',
      previous: before,
      get alert() {
        return render();
      },
    };
  }

  private samples(samples: readonly QosSample[]): AlertChange[] {
    const changes: AlertChange[] = [];
    // Minute by minute: a poll can bring a backlog (several samples of each participant, after
    // an outage or a deferred cycle), and every rule must see it in order, so that an incident
    // firing and resolving inside one backlog still explains what breached while it fired.
    const first = samples[0]?.time;
    let mixed = false;
    for (const s of samples) if (s.time !== first) mixed = true;
    if (!mixed) this.sampleStep(samples, first ?? 0, changes);
    else {
      const byTime = new Map<number, QosSample[]>();
      for (const s of samples) {
        const list = byTime.get(s.time);
        if (list) list.push(s);
        else byTime.set(s.time, [s]);
      }
      for (const t of [...byTime.keys()].sort((x, y) => x - y)) this.sampleStep(byTime.get(t)!, t, changes);
    }
    return changes;
  }

  /** The samples of one sample time: meeting and shared-cause rules first, then participant rules. */
  private sampleStep(samples: readonly QosSample[], t: number, changes: AlertChange[]): void {
    if (this.groupRules.length) this.groupStep(samples, t, changes);
    for (const s of samples) {
      const ikey = instanceKey(s.instance);
      const who = `${ikey}/${s.participant.key}`;
      const hasSeries = this.withSeries.has(who);
      this.rememberName(ikey, s);
      for (const rule of this.participantRules) {
        if (!rule.matches(s)) continue;
        const v = ruleValue(rule, s);
        if (v === undefined) continue; // missing data neither fires nor resolves
        const breaching = breaches(rule, v);
        if (!breaching && !hasSeries) continue;
        const id = `${rule.name}|${who}`;
        if (!breaching && !this.state.series.has(id)) continue;
        const rec = this.record(id, rule, {
          instance: ikey,
          participantKey: s.participant.key,
          context: participantContext(s, this.otherDevices(ikey, s), worstStream(rule, s)),
        });
        const c = this.apply(rule, rec, s.time, v, recovers(rule, v), breaching);
        if (c) changes.push(c);
      }
    }
    if (this.causesChanged) this.reexplain(changes);
  }

  /** Named participants of each instance: instance key -> name -> participant keys (joins). */
  private readonly names = new Map<string, Map<string, Set<string>>>();

  private rememberName(ikey: string, s: QosSample): void {
    const name = s.participant.name.trim();
    if (!name) return;
    let byName = this.names.get(ikey);
    if (!byName) this.names.set(ikey, (byName = new Map<string, Set<string>>()));
    const keys = byName.get(name);
    if (!keys) byName.set(name, new Set([s.participant.key]));
    else keys.add(s.participant.key);
  }

  /**
   * Whether the same person is in the instance from another device (another join under the
   * same name), so the alert must say which device. Hook: joins linked by account id (issue
   * 10) can answer this more surely than the name.
   */
  private otherDevices(ikey: string, s: QosSample): boolean {
    const name = s.participant.name.trim();
    return !!name && (this.names.get(ikey)?.get(name)?.size ?? 0) > 1;
  }

  /**
   * Meeting and shared-cause rules for the samples of one sample time: members' readings are
   * updated, then shared causes are observed first and meetings second, so that a meeting
   * alert firing now already knows whether a cause explains it.
   */
  private groupStep(samples: readonly QosSample[], t: number, changes: AlertChange[]): void {
    const touched = new Map<CompiledRule, Set<string>>();
    for (const s of samples) {
      const ikey = instanceKey(s.instance);
      for (const rule of this.groupRules) {
        if (!rule.matches(s)) continue;
        const v = ruleValue(rule, s);
        if (v === undefined) continue;
        const breaching = breaches(rule, v);
        let key: string | undefined = ikey;
        if (rule.scope === 'instance')
          this.remember(this.members(rule.name, ikey), s.participant.key, s, v, breaching);
        else {
          key = s.context[GROUP_CONTEXT[rule.groupBy!]];
          if (!key) continue;
          this.remember(this.members(rule.name, key), `${ikey}/${s.participant.key}`, s, v, breaching);
        }
        let keys = touched.get(rule);
        if (!keys) touched.set(rule, (keys = new Set<string>()));
        keys.add(key);
      }
    }
    for (const scope of ['shared_cause', 'instance'] as const)
      for (const [rule, keys] of touched)
        if (rule.scope === scope) for (const key of keys) this.observeGroup(rule, key, t, changes);
  }

  /** A member's newest reading, updated in place: a running daemon sees the same people every cycle. */
  private remember(
    members: Map<string, Member>,
    key: string,
    s: QosSample,
    value: number,
    breaching: boolean,
  ): void {
    const m = members.get(key);
    if (m) {
      if (m.time > s.time) return; // an older sample arriving late changes nothing
      m.time = s.time;
      m.value = value;
      m.breaching = breaching;
      m.context = s.context;
      m.instance = s.instance;
    } else members.set(key, { time: s.time, breaching, value, context: s.context, instance: s.instance });
  }

  private members(rule: string, key: string): Map<string, Member> {
    let byKey = this.state.members.get(rule);
    if (!byKey) this.state.members.set(rule, (byKey = new Map<string, Map<string, Member>>()));
    let m = byKey.get(key);
    if (!m) byKey.set(key, (m = new Map<string, Member>()));
    return m;
  }

  /** An instance or group observation at sample time `t`, from each member's newest reading. */
  private observeGroup(rule: CompiledRule, key: string, t: number, changes: AlertChange[]): void {
    const members = this.members(rule.name, key);
    let total = 0;
    let breaching = 0;
    let latest: Member | undefined;
    const instances = rule.scope === 'shared_cause' ? new Set<string>() : undefined;
    for (const m of members.values()) {
      if (m.time > t || m.time < t - this.opts.gapToleranceMs) continue;
      total++;
      if (m.breaching) {
        breaching++;
        instances?.add(m.instance.uuid);
      }
      if (!latest || m.time > latest.time) latest = m;
    }
    if (!latest) return;
    const ratio = total ? breaching / total : 0;
    const enough = total >= rule.minParticipants;
    const isBreach =
      enough &&
      (rule.breachingCount !== undefined
        ? breaching >= rule.breachingCount
        : ratio >= (rule.breachingRatio ?? 1));
    const id = `${rule.name}|${key}`;
    if (!isBreach && !this.state.series.has(id)) return;
    const context: AlertContext =
      rule.scope === 'instance'
        ? {
            kind: latest.instance.kind,
            instanceId: latest.instance.id,
            uuid: latest.instance.uuid,
            topic: latest.instance.topic,
            breaching,
            participants: total,
          }
        : { group: key, groupBy: rule.groupBy!, breaching, participants: total };
    const rec = this.record(id, rule, {
      ...(rule.scope === 'instance' ? { instance: key } : { group: key }),
      context,
      breaching,
      participants: total,
      ...(instances ? { meetings: instances.size } : {}),
    });
    const c = this.apply(rule, rec, t, ratio, !isBreach, isBreach);
    if (c) changes.push(c);
  }

  private resolveRecord(rec: SeriesRecord, at: number, reason: ResolveReason, changes: AlertChange[]): void {
    const rule = this.byName.get(rec.rule);
    this.drop(rec);
    if (rec.group) this.firingGroups = undefined;
    if (!rule || rec.state !== 'firing') return; // a pending alert that never fired just goes
    rec.state = 'inactive';
    changes.push({
      state: 'resolved',
      alert: this.toAlert(rule, rec, 'resolved', { at, reason }),
      previous: 'firing',
    });
  }

  private leave(
    ikey: string,
    participants: ReadonlySet<string>,
    at: number,
    reason: ResolveReason,
  ): AlertChange[] {
    const changes: AlertChange[] = [];
    for (const rec of [...this.state.series.values()])
      if (rec.instance === ikey && rec.participantKey && participants.has(rec.participantKey))
        this.resolveRecord(rec, at, reason, changes);
    const names = this.names.get(ikey);
    if (names)
      for (const [name, keys] of names) {
        for (const p of participants) keys.delete(p);
        if (!keys.size) names.delete(name);
      }
    for (const byKey of this.state.members.values()) {
      const inst = byKey.get(ikey);
      if (inst) for (const p of participants) inst.delete(p);
      for (const m of byKey.values()) for (const p of participants) m.delete(`${ikey}/${p}`);
    }
    return changes;
  }

  private end(ikey: string, at: number): AlertChange[] {
    const changes: AlertChange[] = [];
    this.names.delete(ikey);
    for (const rec of [...this.state.series.values()])
      if (rec.instance === ikey) this.resolveRecord(rec, at, 'ended', changes);
    for (const byKey of this.state.members.values()) {
      byKey.delete(ikey);
      for (const m of byKey.values())
        for (const k of [...m.keys()]) if (k.startsWith(`${ikey}/`)) m.delete(k);
    }
    return changes;
  }

  /** Firing shared-cause incidents of rules that explain, by `groupBy=value`; rebuilt when a group series changes. */
  private firingGroups: Map<string, string> | undefined;
  /** An explaining incident fired or resolved in this batch: what it explains is looked at again. */
  private causesChanged = false;

  private causes(): Map<string, string> {
    if (!this.firingGroups) {
      this.firingGroups = new Map();
      for (const s of this.state.series.values()) {
        const rule = s.group && s.state === 'firing' ? this.byName.get(s.rule) : undefined;
        if (rule?.explains) this.firingGroups.set(`${rule.groupBy!}=${s.group!}`, s.id);
      }
    }
    return this.firingGroups;
  }

  private isFiring(id: string): boolean {
    return this.state.series.get(id)?.state === 'firing';
  }

  /** The firing incident whose group a participant context is in, if any. */
  private causeOf(c: ParticipantContext): { id: string; rule: CompiledRule; value: string } | undefined {
    const causes = this.causes();
    for (const rule of this.muteRules) {
      const value = c[GROUP_CONTEXT[rule.groupBy!]];
      const id = value ? causes.get(`${rule.groupBy!}=${value}`) : undefined;
      if (id) return { id, rule, value: value! };
    }
    return undefined;
  }

  /**
   * What explains an alert now: for a participant alert, a firing incident of its group; for a
   * meeting (instance) alert, the incident that explains the most of its breaching
   * participants, when those explained make up the rule's `explained.ratio` (default all).
   */
  private explainer(rec: SeriesRecord, withhold = false): { id: string; text: string } | undefined {
    if (!this.muteRules.length || rec.group) return undefined;
    const rule = this.byName.get(rec.rule);
    if (!rule) return undefined;
    const group = (groupBy: string, value: string): string =>
      withhold ? withheldGroup(groupBy, value) : value;
    if (rec.participantKey) {
      const ctx = rec.context;
      const cause = this.causeOf(ctx); // an alert's context holds the participant's context fields
      const who = (withhold ? ctx.participantKey : ctx.participant) ?? 'the participant';
      return (
        cause && {
          id: this.shownId(cause.id, withhold),
          text: `${who} is in ${cause.rule.groupBy!} ${group(cause.rule.groupBy!, cause.value)}`,
        }
      );
    }
    const members = rec.instance ? this.state.members.get(rule.name)?.get(rec.instance) : undefined;
    if (!members) return undefined;
    let breaching = 0;
    const byCause = new Map<string, { n: number; value: string; groupBy: string }>();
    for (const m of members.values()) {
      if (!m.breaching || m.time > rec.lastTime || m.time < rec.lastTime - this.opts.gapToleranceMs) continue;
      breaching++;
      const cause = this.causeOf(m.context);
      if (!cause) continue;
      const e = byCause.get(cause.id) ?? { n: 0, value: cause.value, groupBy: cause.rule.groupBy! };
      e.n++;
      byCause.set(cause.id, e);
    }
    let best: [string, { n: number; value: string; groupBy: string }] | undefined;
    for (const e of byCause) if (!best || e[1].n > best[1].n) best = e;
    if (!best || breaching === 0 || best[1].n / breaching < rule.explainedRatio) return undefined;
    const [id, { n, value, groupBy }] = best;
    return {
      id: this.shownId(id, withhold),
      text: `${shareOf(n, breaching, 'breaching participant')} ${n === 1 ? 'is' : 'are'} in ${groupBy} ${group(groupBy, value)}`,
    };
  }

  /** An alert id as shown: with `withhold`, a location group's id withholds the location. */
  private shownId(id: string, withhold: boolean): string {
    if (!withhold) return id;
    const rec = this.state.series.get(id);
    const rule = rec && this.byName.get(rec.rule);
    return rule && rec.group !== undefined && rule.groupBy === 'location'
      ? `${rule.name}|${withheldGroup('location', rec.group)}`
      : id;
  }

  /** Links an alert to what explains it now, or unlinks it. */
  private explain(rec: SeriesRecord): void {
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
   * After an explaining incident fired or resolved: firing alerts it now explains are linked
   * to it (and a change says so, so notifiers hold them back). An alert whose cause resolved is
   * looked at again at its own next observation (see apply): only one that still breaches is sent.
   */
  private reexplain(changes: AlertChange[]): void {
    this.causesChanged = false;
    for (const rec of this.state.series.values()) {
      if (rec.state !== 'firing' || rec.group || rec.explainedBy) continue;
      this.explain(rec);
      const rule = this.byName.get(rec.rule);
      if (rec.explainedBy && rule)
        changes.push({ state: 'firing', alert: this.toAlert(rule, rec, 'firing'), previous: 'firing' });
    }
  }

  /**
   * The alert of a record, rendered. With `withhold`, rendered from its context with the
   * participant's identity withheld (withheldContext): annotations, labels, id and explanation.
   */
  toAlert(
    rule: CompiledRule,
    rec: SeriesRecord,
    state: AlertState,
    resolved?: { at: number; reason: ResolveReason },
    withhold = false,
  ): Alert {
    const group = rule.scope !== 'participant';
    const breachingN = rec.breaching ?? 0;
    const total = rec.participants ?? 0;
    const valueText = group
      ? `${shareOf(breachingN, total)} (${Math.round(rec.value * 100)}%)`
      : formatValue(rec.value, rule.metric);
    const cmp = rule.above ? '>' : '<';
    const metricThreshold = formatValue(rule.threshold, rule.metric);
    const thresholdText = group
      ? `${rule.breachingCount !== undefined ? plural(rule.breachingCount, 'participant') : `${Math.round((rule.breachingRatio ?? 1) * 100)}%`} with ${rule.metric.name} ${cmp} ${metricThreshold}`
      : `${cmp} ${metricThreshold}`;
    const c = withhold ? withheldContext(rec.context) : rec.context;
    const labels: Record<string, string> = {
      alertname: rule.name,
      severity: rule.severity,
      scope: rule.scope,
      ...(c.kind ? { kind: c.kind } : {}),
      ...(c.instanceId ? { instance: c.instanceId } : {}),
      ...(c.participantKey ? { participant: c.participantKey } : {}),
      ...(c.group ? { [c.groupBy!]: c.group } : {}),
      ...rule.labels,
    };
    // `since`: when the breach that made it fire began (its pending start), fixed once it fires.
    const since = rec.since ?? rec.pendingSince ?? rec.lastTime;
    // Durations in sample time: the newest sample (or the start of the recovery that resolved
    // it) minus the first breaching sample; never the wall clock against a sample's time.
    const durationMs = Math.max(
      0,
      (state === 'resolved' ? (rec.clearedAt ?? rec.lastTime) : rec.lastTime) - since,
    );
    const cause = rec.explainedBy ?? (state === 'pending' ? this.explainer(rec)?.id : undefined);
    const explainedBy = cause && this.shownId(cause, withhold);
    const shown = withhold && rec.explanation ? this.explainer(rec, true) : undefined;
    const explanation =
      withhold && rec.explanation
        ? `explained by ${shown?.id ?? explainedBy ?? ''}${shown ? `: ${shown.text}` : ''}`
        : rec.explanation;
    const view = {
      rule: rule.name,
      description: rule.description,
      severity: rule.severity,
      scope: rule.scope,
      state,
      value: valueText,
      threshold: thresholdText,
      threshold_value: metricThreshold,
      participant: c.participant ?? '',
      participant_possessive: c.participant ? possessive(c.participant) : '',
      participant_key: c.participantKey ?? '',
      topic: c.topic ?? '',
      kind: c.kind ?? '',
      instance_id: c.instanceId ?? '',
      stream: c.stream ?? '',
      ...Object.fromEntries(CONTEXT_FIELDS.map((f) => [f.rule, c[f.key as keyof ParticipantContext] ?? ''])),
      client_version: c.version ?? c.clientVersion ?? '',
      since: new Date(since).toISOString(),
      duration: humanDuration(durationMs),
      breaching: c.breaching ?? '',
      participants: c.participants ?? '',
      breaching_participants: group ? shareOf(breachingN, total) : '',
      healthy_participants: group ? shareOf(total - breachingN, total) : '',
      participants_text: group ? plural(total, 'participant') : '',
      meetings_text: rec.meetings !== undefined ? plural(rec.meetings, 'meeting') : '',
      group: c.group ?? '',
      group_by: c.groupBy ?? '',
      reason: resolved?.reason ?? '',
      explained_by: explainedBy ?? '',
      gone:
        resolved?.reason === 'left'
          ? `${c.participant ?? 'The participant'} left "${c.topic ?? ''}"`
          : resolved?.reason === 'ended'
            ? `"${c.topic ?? ''}" ended`
            : '',
      labels,
    };
    const phase = (repeat: boolean): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [k, tpl] of Object.entries(rule.annotations)) {
        const repeating = repeat && hasSection(tpl, 'repeating');
        const flags = {
          firing: state !== 'resolved' && !repeating,
          repeating,
          resolved: state === 'resolved',
          recovered: state === 'resolved' && (resolved?.reason ?? 'recovered') === 'recovered',
        };
        out[k] = render(tpl, { ...view, ...flags });
      }
      return out;
    };
    const annotations = phase(false);
    const repeatAnnotations =
      state === 'firing' && Object.values(rule.annotations).some((t) => hasSection(t, 'repeating'))
        ? phase(true)
        : undefined;
    const inhibitedBy = explainedBy && rule.inhibitWhenExplained ? explainedBy : undefined;
    return {
      id: this.shownId(rec.id, withhold),
      rule: rule.name,
      scope: rule.scope,
      state,
      severity: rule.severity,
      labels,
      annotations,
      ...(repeatAnnotations ? { repeatAnnotations } : {}),
      value: rec.value,
      valueText,
      threshold: rule.threshold,
      thresholdText,
      since,
      durationMs,
      ...(rec.firingSince !== undefined && state !== 'pending' ? { firingSince: rec.firingSince } : {}),
      ...(state === 'resolved'
        ? { resolvedAt: resolved?.at ?? rec.lastTime, reason: resolved?.reason ?? 'recovered' }
        : {}),
      lastSampleAt: rec.lastTime,
      context: { ...c },
      ...(explainedBy ? { explainedBy } : {}),
      ...(explanation ? { explanation } : {}),
      ...(inhibitedBy ? { inhibitedBy } : {}),
    };
  }

  /** One pending or firing alert as it reads now (newest sample, duration); undefined when not active. */
  current(id: string): Alert | undefined {
    const rec = this.state.series.get(id);
    const rule = rec && this.byName.get(rec.rule);
    return rule && rec.state !== 'inactive' ? this.toAlert(rule, rec, rec.state) : undefined;
  }

  /** Pending and firing alerts now; with `withhold`, without participant identity (see toAlert). */
  active(withhold = false): Alert[] {
    const out: Alert[] = [];
    for (const rec of this.state.series.values()) {
      const rule = this.byName.get(rec.rule);
      if (rule && rec.state !== 'inactive') out.push(this.toAlert(rule, rec, rec.state, undefined, withhold));
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Pending and firing alerts in brief (no templates rendered): what metrics count, cheaply. */
  *brief(): Generator<{
    rule: string;
    severity: string;
    state: 'pending' | 'firing';
    scope: string;
    kind?: string;
    instanceId?: string;
  }> {
    for (const rec of this.state.series.values()) {
      const rule = this.byName.get(rec.rule);
      if (!rule || rec.state === 'inactive') continue;
      yield {
        rule: rule.name,
        severity: rule.severity,
        state: rec.state,
        scope: rule.scope,
        ...(rec.context.kind ? { kind: rec.context.kind } : {}),
        ...(rec.context.instanceId ? { instanceId: rec.context.instanceId } : {}),
      };
    }
  }

  /** Whether an instance has a pending or firing alert (the scheduler polls it first). */
  isAlerting(ikey: string): boolean {
    for (const s of this.state.series.values()) if (s.instance === ikey) return true;
    return false;
  }
}
