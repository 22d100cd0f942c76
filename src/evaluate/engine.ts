import { instanceKey, type PipelineEvent } from '../normalize/events.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { Alert, AlertChange } from './alert.js';
import { reexplain, resolveRecord } from './alert-changes.js';
import { bySampleTime, sampleTimes } from './backlog.js';
import { ColumnValues } from './columns.js';
import type { EngineContext } from './context.js';
import { absent, end, leave } from './departures.js';
import { Explainer } from './explain.js';
import { groupFamilies } from './group-keys.js';
import { groupStep } from './group-rules.js';
import { JoinNames } from './join-names.js';
import { GroupReadings } from './member-group.js';
import { participantStep } from './participant-rules.js';
import { renderAlert } from './render-alert.js';
import { RuleSet, type EngineOptions } from './rule-set.js';
import type { CompiledRule } from './rule-types.js';
import { newState, SeriesBook, type EngineState } from './series.js';
import { UnknownReadings } from './unknown-readings.js';
import { codeUnitOrder } from '../util/code-unit-order.js';

/**
 * Evaluates rules against pipeline events. `handle` is a function of (state, event) alone: no
 * clock, no I/O; sample times drive every duration. Rules are compiled once; a cycle of
 * samples costs one pass per rule.
 *
 * The parts: alert series and their per-participant count (series.ts), participant rules
 * (participant-rules.ts), instance and shared-cause rules (group-rules.ts), what a shared cause
 * explains (explain.ts), each series' lifecycle and the changes it makes (alert-changes.ts,
 * lifecycle.ts), rendering (render-alert.ts), a backlog in sample-time order (backlog.ts),
 * and participants leaving and instances ending (departures.ts).
 */
export class RuleEngine {
  private readonly ctx: EngineContext;
  private readonly values = new ColumnValues();

  constructor(
    rules: CompiledRule[],
    opts: EngineOptions,
    readonly state: EngineState = newState(),
  ) {
    const ruleSet = new RuleSet(rules, opts);
    const series = new SeriesBook(state.series, state.slots);
    this.ctx = {
      opts,
      state,
      series,
      rules: ruleSet,
      slotMembers: [],
      groupKeys: [],
      explainer: new Explainer(series, state, ruleSet, opts.gapToleranceMs),
      names: new JoinNames(),
      unknown: new UnknownReadings(state),
      departedOwned: new WeakSet(),
    };
    this.setRules(rules);
  }

  /**
   * Swaps the rule set (reload). Alerts of rules that still exist keep their state; firing
   * alerts of a rule that is gone resolve at `at` with reason `rule_removed` (rendered by the
   * rule they fired under), so no receiver is left with an alert that nothing will ever end.
   * So do those of a rule whose grouping changed (its scope or group_by: regrouping), whose
   * alerts and members start again under the new grouping.
   */
  setRules(rules: CompiledRule[], at?: number): AlertChange[] {
    this.newPass();
    const ctx = this.ctx;
    const changes: AlertChange[] = [];
    const next = new Map(rules.map((r) => [r.name, r]));
    const regrouped = new Map<string, string>();
    for (const old of ctx.rules.list) {
      const now = next.get(old.name);
      const what = now && regrouping(old, now);
      if (what) regrouped.set(old.name, what);
    }
    for (const s of [...ctx.series.values()])
      if (!next.has(s.rule) || regrouped.has(s.rule))
        resolveRecord(ctx, s, at ?? s.lastTime, 'rule_removed', changes, regrouped.get(s.rule));
    const readings = new Map(ctx.rules.group.map((r, i) => [r.name, ctx.slotMembers[i]!]));
    for (const name of regrouped.keys()) {
      this.state.members.delete(name);
      readings.delete(name); // its groups' keys were of the old grouping
    }
    ctx.rules = new RuleSet(rules, ctx.opts);
    ctx.slotMembers = ctx.rules.group.map((r) => {
      const kept = readings.get(r.name);
      kept?.reset(); // its family (group-keys.ts) is new: its filters may have changed
      return kept ?? new GroupReadings(this.state.slots);
    });
    ctx.groupKeys = groupFamilies(ctx.rules.group, ctx.rules.groupColumn, ctx.slotMembers);
    ctx.explainer.setRules(ctx.rules);
    ctx.series.setRules(ctx.rules.participant);
    for (const name of this.state.members.keys())
      if (!ctx.rules.byName.has(name)) this.state.members.delete(name);
    return changes;
  }

  /**
   * The rules with firing alerts that `setRules(rules)` would resolve (`rule_removed`): those the
   * new set leaves out, and those whose scope or group_by it changes (regrouped); names sorted.
   */
  firingResolvedBy(rules: readonly CompiledRule[]): { removed: string[]; regrouped: string[] } {
    const next = new Map(rules.map((r) => [r.name, r]));
    const removed = new Set<string>();
    const regrouped = new Set<string>();
    for (const s of this.ctx.series.values()) {
      const old = this.ctx.rules.byName.get(s.rule);
      if (s.state !== 'firing' || !old) continue;
      const now = next.get(s.rule);
      if (!now) removed.add(s.rule);
      else if (regrouping(old, now)) regrouped.add(s.rule);
    }
    return { removed: [...removed].sort(), regrouped: [...regrouped].sort() };
  }

  get ruleList(): readonly CompiledRule[] {
    return this.ctx.rules.list;
  }

  handle(event: PipelineEvent): AlertChange[] {
    this.newPass();
    switch (event.type) {
      case 'samples': {
        const changes: AlertChange[] = [];
        const times = sampleTimes(event.samples);
        this.ctx.unknown.samples(event.samples, times.newest);
        bySampleTime(event.samples, times, (samples, t) => this.sampleStep(samples, t, changes));
        return changes;
      }
      case 'left':
        return leave(this.ctx, instanceKey(event.instance), new Set([event.participant]), event.at, 'left');
      case 'polled': {
        const key = instanceKey(event.instance);
        this.ctx.unknown.reported(key);
        const gone = absent(this.ctx, key, new Set(event.present));
        return gone.size ? leave(this.ctx, key, gone, event.at, 'left') : [];
      }
      case 'ended':
        return end(this.ctx, instanceKey(event.instance), event.at);
    }
  }

  /** Ends everything of instances that are not live any more (after a restart, say). */
  reconcile(liveInstances: ReadonlySet<string>, at: number): AlertChange[] {
    this.newPass();
    const gone = new Set<string>();
    for (const s of this.ctx.series.values())
      if (s.instance && !liveInstances.has(s.instance)) gone.add(s.instance);
    for (const i of this.ctx.unknown.notLive(liveInstances)) gone.add(i); // ended while qoswatch was down
    return [...gone].flatMap((i) => end(this.ctx, i, at));
  }

  /**
   * The instances its active series belong to, one ref each (kind, id, uuid and topic from the
   * series' context): after a restart, those of restored alerts (daemon.ts polls them while the
   * live lists cannot be used, so that one that ended is found ended).
   */
  instanceRefs(): InstanceRef[] {
    const refs = new Map<string, InstanceRef>();
    for (const s of this.ctx.series.values()) {
      const { kind, uuid, instanceId, topic } = s.context;
      if (!s.instance || s.state === 'inactive' || !kind || !uuid || refs.has(s.instance)) continue;
      refs.set(s.instance, { kind, id: instanceId ?? uuid, uuid, topic: topic ?? '' });
    }
    return [...refs.values()];
  }

  /**
   * A pass over an event begins: the departures the last one wrote in place (departed.ts) are
   * handed on, so never written again. Every public method that steps series begins one.
   */
  private newPass(): void {
    this.ctx.departedOwned = new WeakSet();
  }

  /** The samples of one sample time: meeting and shared-cause rules first, then participant rules. */
  private sampleStep(samples: readonly QosSample[], t: number, changes: AlertChange[]): void {
    const columns = this.values.fill(
      this.ctx.rules.columns,
      samples,
      this.state.slots,
      this.ctx.series.table,
    );
    if (this.ctx.rules.group.length) groupStep(this.ctx, samples, columns, t, changes);
    participantStep(this.ctx, samples, columns, t, changes);
    if (this.ctx.explainer.causesChanged) reexplain(this.ctx, changes);
  }

  /** One pending or firing alert as it reads now (newest sample, duration); undefined when not active. */
  current(id: string): Alert | undefined {
    const rec = this.ctx.series.get(id);
    const rule = rec && this.ctx.rules.byName.get(rec.rule);
    return rule && rec.state !== 'inactive'
      ? renderAlert(this.ctx.explainer, rule, rec, rec.state)
      : undefined;
  }

  /** Pending and firing alerts now; with `withhold`, without participant identity (see toAlert). */
  active(withhold = false): Alert[] {
    const out: Alert[] = [];
    for (const rec of this.ctx.series.values()) {
      const rule = this.ctx.rules.byName.get(rec.rule);
      if (rule && rec.state !== 'inactive')
        out.push(renderAlert(this.ctx.explainer, rule, rec, rec.state, undefined, withhold));
    }
    return out.sort((a, b) => codeUnitOrder(a.id, b.id));
  }

  /** Pending and firing alerts in brief (no templates rendered): what metrics count, cheaply. */
  *brief(): Generator<{
    rule: string;
    severity: string;
    state: 'pending' | 'firing';
    scope: string;
    kind?: string;
    instanceId?: string;
    instanceUuid?: string;
  }> {
    for (const rec of this.ctx.series.values()) {
      const rule = this.ctx.rules.byName.get(rec.rule);
      if (!rule || rec.state === 'inactive') continue;
      yield {
        rule: rule.name,
        severity: rule.severity,
        state: rec.state,
        scope: rule.scope,
        ...(rec.context.kind ? { kind: rec.context.kind } : {}),
        ...(rec.context.instanceId ? { instanceId: rec.context.instanceId } : {}),
        ...(rec.context.uuid ? { instanceUuid: rec.context.uuid } : {}),
      };
    }
  }

  /** Whether an instance has a pending or firing alert (the scheduler polls it first). */
  isAlerting(ikey: string): boolean {
    for (const s of this.ctx.series.values()) if (s.instance === ikey) return true;
    return false;
  }
}

/** What a reload changed of how a rule groups its alerts, in words (`it groups by location now`); undefined when nothing. */
function regrouping(old: CompiledRule, now: CompiledRule): string | undefined {
  if (old.scope !== now.scope) return `its scope is ${now.scope} now`;
  if ((old.groupBy ?? '') !== (now.groupBy ?? '')) return `it groups by ${now.groupBy ?? 'nothing'} now`;
  return undefined;
}
