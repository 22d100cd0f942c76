import type { Alert, AlertChange, AlertState, ResolveReason } from './alert.js';
import type { Explainer } from './explain.js';
import type { EngineContext } from './context.js';
import { departedReason } from './departed.js';
import { stays, step } from './lifecycle.js';
import { PendingChange } from './pending-change.js';
import { alertLabels, renderAlert } from './render-alert.js';
import type { CompiledRule } from './rule-types.js';
import { OUTSTANDING, type SeriesRecord } from './series.js';

/** A firing change's alert: without reminders' text (see renderAlert), rendered when one is due. */
const firingAlert = (explainer: Explainer, rule: CompiledRule, rec: SeriesRecord): Alert =>
  renderAlert(explainer, rule, rec, 'firing', undefined, false, false);

/**
 * What a save keeps of a series beyond its newest time and value, taken before a step and
 * compared after it (see SeriesBook.changed). Only steps that are not `stays` take it. Fields
 * compared one by one, not joined into a string: 20,000 steps a minute made 20,000 strings of
 * eight numbers each (issue 16).
 */
class Saved {
  state: SeriesRecord['state'] = 'inactive';
  pendingSince: number | undefined = undefined;
  firingSince: number | undefined = undefined;
  recoveringSince: number | undefined = undefined;
  since: number | undefined = undefined;
  clearedAt: number | undefined = undefined;
  explainedBy: string | undefined = undefined;
  explanation: string | undefined = undefined;

  constructor(r: SeriesRecord) {
    ({
      state: this.state,
      pendingSince: this.pendingSince,
      firingSince: this.firingSince,
      recoveringSince: this.recoveringSince,
      since: this.since,
      clearedAt: this.clearedAt,
      explainedBy: this.explainedBy,
      explanation: this.explanation,
    } = r);
  }

  /** Whether the series differs from what was taken (a NaN time reads as unchanged, as its text did). */
  differs(r: SeriesRecord): boolean {
    return (
      this.state !== r.state ||
      !same(this.pendingSince, r.pendingSince) ||
      !same(this.firingSince, r.firingSince) ||
      !same(this.recoveringSince, r.recoveringSince) ||
      !same(this.since, r.since) ||
      !same(this.clearedAt, r.clearedAt) ||
      this.explainedBy !== r.explainedBy ||
      this.explanation !== r.explanation
    );
  }
}

const same = (a: number | undefined, b: number | undefined): boolean => a === b || (a !== a && b !== b);

/**
 * One observation of an alert series: its lifecycle steps (lifecycle.ts), what explains it is
 * looked at when it fires, and the change (if any) is returned for the notifiers.
 */
export function apply(
  ctx: EngineContext,
  rule: CompiledRule,
  rec: SeriesRecord,
  time: number,
  value: number,
  recovered: boolean,
  breaching: boolean,
): AlertChange | undefined {
  const { explainer } = ctx;
  const timing = ctx.rules.timing.get(rule.name)!;
  rec[OUTSTANDING]?.freeze(); // its pending change, unread, keeps the series as it was
  // Still firing and breaching, or pending and not yet due: a few fields, nothing made (an
  // explained alert whose cause may have resolved takes the long way, below).
  const recoveringSince = rec.recoveringSince;
  if (!(breaching && rec.explainedBy) && stays(rec, time, value, breaching, recovered, timing)) {
    if (rec.recoveringSince !== recoveringSince) ctx.series.changed();
    return undefined;
  }
  const was = new Saved(rec);
  const before: AlertState | 'inactive' = rec.state;
  const t = step(rec, { time, value, breaching, recovered }, timing);
  if (t && rec.group) {
    explainer.invalidate();
    if (rule.explains && (t === 'firing' || t === 'resolved')) explainer.causesChanged = true;
  }
  if (t === 'firing') {
    rec.since = rec.pendingSince ?? time;
    rec.firedLabels = alertLabels(rule, rec, rec.context);
    rec.clearedAt = undefined;
    if (!rec.group) explainer.explain(rec);
  } else if (t === 'resolved') rec.clearedAt = recoveringSince ?? time;
  else if (!t && rec.state === 'firing' && breaching && rec.explainedBy && !explainer.stillExplains(rec)) {
    // Its cause resolved first, or it moved out of the cause's group, and it still breaches:
    // another incident explains it now, or it stands on its own and is sent.
    explainer.explain(rec);
    if (was.differs(rec)) ctx.series.changed();
    if (!rec.explainedBy)
      return { state: 'firing', alert: firingAlert(explainer, rule, rec), previous: 'firing' };
  }
  if (was.differs(rec)) ctx.series.changed();
  if (rec.state === 'inactive') ctx.series.drop(rec);
  if (!t || t === 'cancelled') return undefined;
  if (t === 'firing') return { state: t, alert: firingAlert(explainer, rule, rec), previous: before };
  if (t === 'resolved') {
    // A group whose breaching members left or moved out, the rest not breaching: no recovery (departed.ts).
    const reason = departedReason(rec.departed);
    const resolved = reason ? { at: time, reason, departed: rec.departed } : undefined;
    return { state: t, alert: renderAlert(explainer, rule, rec, t, resolved), previous: before };
  }
  if (t !== 'pending') return { state: t, alert: renderAlert(explainer, rule, rec, t), previous: before };
  return new PendingChange(explainer, rule, rec); // rendered only if read
}

/**
 * Ends a series that did not recover (its participant left, its instance ended, its rule was
 * removed or, `changed`, its grouping changed: engine.ts).
 */
export function resolveRecord(
  ctx: EngineContext,
  rec: SeriesRecord,
  at: number,
  reason: ResolveReason,
  changes: AlertChange[],
  changed?: string,
): void {
  const rule = ctx.rules.byName.get(rec.rule);
  ctx.series.drop(rec);
  if (rec.group) ctx.explainer.invalidate();
  if (!rule || rec.state !== 'firing') return; // a pending alert that never fired just goes
  rec.state = 'inactive';
  // Never before the series' last sample (nor so before it fired): Zoom stamps a sample at its
  // minute's end, after a leave_time within that minute, and Alertmanager refuses an alert that
  // ends before it starts.
  const end = Math.max(at, rec.lastTime, rec.firingSince ?? at);
  changes.push({
    state: 'resolved',
    alert: renderAlert(ctx.explainer, rule, rec, 'resolved', {
      at: end,
      reason,
      ...(changed ? { changed } : {}),
    }),
    previous: 'firing',
  });
}

/**
 * After an explaining incident fired or resolved: firing alerts it now explains are linked
 * to it (and a change says so, so notifiers hold them back). An alert whose cause resolved is
 * looked at again at its own next observation (see apply): only one that still breaches is sent.
 */
export function reexplain(ctx: EngineContext, changes: AlertChange[]): void {
  const { explainer } = ctx;
  explainer.causesChanged = false;
  for (const rec of ctx.series.values()) {
    if (rec.state !== 'firing' || rec.group || rec.explainedBy) continue;
    explainer.explain(rec);
    if (!rec.explainedBy) continue;
    // Explained: its record is where the series is stepped from now on (SLOW).
    ctx.series.store(rec);
    ctx.series.changed();
    const rule = ctx.rules.byName.get(rec.rule);
    if (rule)
      changes.push({
        state: 'firing',
        alert: firingAlert(explainer, rule, rec),
        previous: 'firing',
      });
  }
}
