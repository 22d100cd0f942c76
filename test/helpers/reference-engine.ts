import { step, type Series, type Timing } from '../../src/evaluate/lifecycle.js';
import type { CompiledRule } from '../../src/evaluate/rule-types.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QosSample } from '../../src/normalize/sample.js';

interface Ref extends Series {
  instance?: string;
  participant?: string;
  /** Shared causes: how many instances the breaching members come from. */
  meetings?: number;
}
interface Reading {
  time: number;
  breaching: boolean;
  uuid: string;
}

const ikeyOf = (s: QosSample): string => `${s.instance.kind}:${s.instance.uuid}`;

/**
 * The rule engine written the straightforward way, for the property test of the real one: per
 * sample and rule, the value over the rule's streams and the threshold; a Map of series by id
 * with the lifecycle of lifecycle.ts; members' newest readings per group. It says which alerts
 * change state (`id previous->state`) and which are active; it renders nothing and leaves out
 * what shared causes explain.
 */
export class ReferenceEngine {
  readonly series = new Map<string, Ref>();
  /** rule -> group -> member -> newest reading. */
  private readonly members = new Map<string, Map<string, Map<string, Reading>>>();

  constructor(
    private readonly rules: readonly CompiledRule[],
    private readonly gapToleranceMs: number,
  ) {}

  private timing(r: CompiledRule): Timing {
    return { forMs: r.forMs, recoveryForMs: r.recoveryForMs, gapToleranceMs: this.gapToleranceMs };
  }

  static value(rule: CompiledRule, s: QosSample): number | undefined {
    if (!rule.metric.perStream) return rule.metric.read(s);
    const vs: number[] = [];
    for (const stream of Object.keys(s.streams)) {
      if (!rule.streams.includes(stream)) continue;
      const v = rule.metric.read(s, stream);
      if (v !== undefined) vs.push(v);
    }
    if (!vs.length) return undefined;
    if (rule.aggregate === 'avg') return vs.reduce((a, b) => a + b, 0) / vs.length;
    return rule.above ? Math.max(...vs) : Math.min(...vs);
  }

  handle(event: PipelineEvent): string[] {
    const out: string[] = [];
    if (event.type === 'left')
      this.leave(`${event.instance.kind}:${event.instance.uuid}`, event.participant, out);
    if (event.type === 'ended') this.end(`${event.instance.kind}:${event.instance.uuid}`, out);
    if (event.type !== 'samples') return out;
    const times = [...new Set(event.samples.map((s) => s.time))].sort((a, b) => a - b);
    for (const t of times) {
      const now = event.samples.filter((s) => s.time === t);
      this.groups(now, t, times.at(-1)!, out);
      for (const s of now)
        for (const rule of this.rules) {
          if (rule.scope !== 'participant' || !rule.matches(s)) continue;
          const v = ReferenceEngine.value(rule, s);
          if (v === undefined) continue;
          const breaching = rule.above ? v > rule.threshold : v < rule.threshold;
          const recovered = rule.above ? v <= rule.recoveryThreshold : v >= rule.recoveryThreshold;
          const id = `${rule.name}|${ikeyOf(s)}/${s.participant.key}`;
          this.observe(
            rule,
            id,
            { instance: ikeyOf(s), participant: s.participant.key },
            s.time,
            v,
            breaching,
            recovered,
            out,
          );
        }
    }
    return out;
  }

  private observe(
    rule: CompiledRule,
    id: string,
    where: Pick<Ref, 'instance' | 'participant'>,
    time: number,
    value: number,
    breaching: boolean,
    recovered: boolean,
    out: string[],
  ): void {
    let rec = this.series.get(id);
    if (!rec && !breaching) return;
    if (!rec) this.series.set(id, (rec = { state: 'inactive', lastTime: 0, value: 0 }));
    Object.assign(rec, where);
    const before = rec.state;
    const t = step(rec, { time, value, breaching, recovered }, this.timing(rule));
    if (t && t !== 'cancelled') out.push(`${id} ${before}->${t}`);
    if (rec.state === 'inactive') this.series.delete(id);
  }

  /**
   * Group observations at `t`. None is made while a member has a reading newer than `t` that
   * the samples at hand also reach (`end`, their newest time): another instance's backlog came
   * first, and this one's view at `t` would lack it.
   */
  private groups(now: QosSample[], t: number, end: number, out: string[]): void {
    const touched = new Map<CompiledRule, Set<string>>();
    for (const rule of this.rules) {
      if (rule.scope === 'participant') continue;
      for (const s of now) {
        if (!rule.matches(s)) continue;
        const v = ReferenceEngine.value(rule, s);
        if (v === undefined) continue;
        const group =
          rule.scope === 'instance'
            ? ikeyOf(s)
            : s.context[rule.groupBy === 'data_center' ? 'dataCenter' : 'networkType'];
        if (!group) continue;
        const byGroup = this.members.get(rule.name) ?? new Map<string, Map<string, Reading>>();
        this.members.set(rule.name, byGroup);
        const m = byGroup.get(group) ?? new Map<string, Reading>();
        byGroup.set(group, m);
        const who = `${ikeyOf(s)}/${s.participant.key}`;
        const old = m.get(who);
        if (!old || old.time <= s.time)
          m.set(who, {
            time: s.time,
            breaching: rule.above ? v > rule.threshold : v < rule.threshold,
            uuid: s.instance.uuid,
          });
        touched.set(rule, (touched.get(rule) ?? new Set()).add(group));
      }
    }
    for (const scope of ['shared_cause', 'instance'])
      for (const [rule, groups] of touched) {
        if (rule.scope !== scope) continue;
        for (const group of groups) {
          let total = 0;
          let breaching = 0;
          let late = false;
          const meetings = new Set<string>();
          for (const r of this.members.get(rule.name)!.get(group)!.values()) {
            if (r.time > t && r.time <= end) late = true;
            if (r.time <= t && r.time >= t - this.gapToleranceMs) {
              total++;
              if (r.breaching) {
                breaching++;
                meetings.add(r.uuid);
              }
            }
          }
          if (!total || late) continue;
          const ratio = breaching / total;
          const isBreach =
            total >= rule.minParticipants &&
            (rule.breachingCount !== undefined
              ? breaching >= rule.breachingCount
              : ratio >= (rule.breachingRatio ?? 1));
          const where = rule.scope === 'instance' ? { instance: group } : { meetings: meetings.size };
          this.observe(rule, `${rule.name}|${group}`, where, t, ratio, isBreach, !isBreach, out);
        }
      }
  }

  private resolve(id: string, rec: Ref, out: string[]): void {
    this.series.delete(id);
    if (rec.state === 'firing') out.push(`${id} firing->resolved`);
  }

  private leave(ikey: string, participant: string, out: string[]): void {
    for (const [id, rec] of [...this.series])
      if (rec.instance === ikey && rec.participant === participant) this.resolve(id, rec, out);
    for (const byGroup of this.members.values())
      for (const m of byGroup.values()) m.delete(`${ikey}/${participant}`);
  }

  private end(ikey: string, out: string[]): void {
    for (const [id, rec] of [...this.series]) if (rec.instance === ikey) this.resolve(id, rec, out);
    for (const byGroup of this.members.values()) {
      byGroup.delete(ikey);
      for (const m of byGroup.values())
        for (const k of [...m.keys()]) if (k.startsWith(`${ikey}/`)) m.delete(k);
    }
  }
}
