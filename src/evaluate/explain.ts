import type { ParticipantContext } from '../normalize/sample.js';
import { shownKey } from '../normalize/zoom-text.js';
import { shareOf } from '../util/words.js';
import type { RuleSet } from './rule-set.js';
import type { CompiledRule } from './rule-types.js';
import { groupOf } from './rule-value.js';
import type { EngineState, SeriesBook, SeriesRecord } from './series.js';
import { groupWithheld, withheldGroup } from './withheld.js';

/** A firing incident of a rule that explains: its id, its rule, when it fired and its rule's place. */
interface Cause {
  id: string;
  rule: CompiledRule;
  firedAt: number;
  order: number;
}

/** Whether cause `a` comes before `b`: it fired earlier, or in the same minute by a rule listed earlier. */
const before = (a: Cause, b: Cause): boolean =>
  a.firedAt < b.firedAt || (a.firedAt === b.firedAt && a.order < b.order);

/**
 * Shared causes: which firing shared-cause incident (a rule with `explains`) explains a
 * participant or meeting alert, and why in words.
 */
export class Explainer {
  /**
   * Firing shared-cause incidents of rules that explain, by group_by and then value (of two
   * rules with the same group_by firing on one value, the one that fired first); rebuilt when a
   * group series changes. Two levels, not one key of both: a lookup makes no string.
   */
  private firingGroups: Map<string, Map<string, Cause>> | undefined;
  /** An explaining incident fired or resolved in this batch: what it explains is looked at again. */
  causesChanged = false;

  constructor(
    private readonly series: SeriesBook,
    private readonly state: EngineState,
    private rules: RuleSet,
    private readonly gapToleranceMs: number,
  ) {}

  setRules(rules: RuleSet): void {
    this.rules = rules;
    this.firingGroups = undefined;
  }

  /** A group series changed state: the firing incidents are looked up again when next needed. */
  invalidate(): void {
    this.firingGroups = undefined;
  }

  private causes(): Map<string, Map<string, Cause>> {
    if (!this.firingGroups) {
      const causes = (this.firingGroups = new Map<string, Map<string, Cause>>());
      for (const s of this.series.groupSeries()) {
        const rule = s.group && s.state === 'firing' ? this.rules.byName.get(s.rule) : undefined;
        if (!rule?.explains) continue;
        const cause = {
          id: s.id,
          rule,
          firedAt: s.firingSince ?? s.lastTime,
          order: this.rules.explaining.indexOf(rule),
        };
        let byValue = causes.get(rule.groupBy!);
        if (!byValue) causes.set(rule.groupBy!, (byValue = new Map<string, Cause>()));
        const other = byValue.get(s.group!);
        if (!other || before(cause, other)) byValue.set(s.group!, cause);
      }
    }
    return this.firingGroups;
  }

  isFiring(id: string): boolean {
    return this.series.get(id)?.state === 'firing';
  }

  /**
   * Whether what explains a firing alert still does: its incident still fires and, for a
   * participant alert, the participant's context is still in the incident's group. One who moved
   * to another data center, network... was held back by the incident for as long as it lasted.
   */
  stillExplains(rec: SeriesRecord): boolean {
    const cause = rec.explainedBy === undefined ? undefined : this.series.get(rec.explainedBy);
    if (cause?.state !== 'firing') return false;
    if (!rec.participantKey) return true;
    const rule = this.rules.byName.get(cause.rule);
    return rule !== undefined && groupOf(rule, rec.context) === cause.group;
  }

  /**
   * The firing incident whose group a participant context is in, if any; of several, the one
   * that fired first (the page already out), and of those that fired in the same minute, the
   * one whose rule is listed first.
   */
  private causeOf(c: ParticipantContext): { id: string; rule: CompiledRule; value: string } | undefined {
    const causes = this.causes();
    let first: Cause | undefined;
    let value: string | undefined;
    for (const rule of this.rules.explaining) {
      const v = groupOf(rule, c);
      const cause = v ? causes.get(rule.groupBy!)?.get(v) : undefined;
      if (cause && (!first || before(cause, first))) {
        first = cause;
        value = v;
      }
    }
    return first && { id: first.id, rule: first.rule, value: value! };
  }

  /**
   * What explains an alert now: for a participant alert, a firing incident of its group; for a
   * meeting (instance) alert, the incident that explains the most of its breaching
   * participants, when those explained make up the rule's `explained.ratio` (default all).
   */
  explainer(rec: SeriesRecord, withhold = false): { id: string; text: string } | undefined {
    if (!this.rules.explaining.length || rec.group) return undefined;
    const rule = this.rules.byName.get(rec.rule);
    if (!rule) return undefined;
    const group = (groupBy: string, value: string): string =>
      withhold ? withheldGroup(groupBy, value) : value;
    if (rec.participantKey) {
      const ctx = rec.context;
      const cause = this.causeOf(ctx); // an alert's context holds the participant's context fields
      const shown = withhold ? ctx.participantKey && shownKey(ctx.participantKey) : ctx.participant;
      const who = shown ?? 'the participant';
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
      if (!m.breaching || m.time > rec.lastTime || m.time < rec.lastTime - this.gapToleranceMs) continue;
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

  /** An alert id as shown: with `withhold`, the id of a group by location (or device name...) withholds it. */
  shownId(id: string, withhold: boolean): string {
    if (!withhold) return id;
    const rec = this.series.get(id);
    const rule = rec && this.rules.byName.get(rec.rule);
    return rule?.groupBy !== undefined && rec?.group !== undefined && groupWithheld(rule.groupBy)
      ? `${rule.name}|${withheldGroup(rule.groupBy, rec.group)}`
      : id;
  }

  /** Links an alert to what explains it now, or unlinks it. */
  explain(rec: SeriesRecord): void {
    const e = this.explainer(rec);
    if (e) {
      rec.explainedBy = e.id;
      rec.explanation = `explained by ${e.id}: ${e.text}`;
    } else {
      rec.explainedBy = undefined;
      rec.explanation = undefined;
    }
  }
}
