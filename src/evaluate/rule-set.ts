import { columnsOf, type Column } from './columns.js';
import type { Timing } from './lifecycle.js';
import type { CompiledRule } from './rule-types.js';

export interface EngineOptions {
  gapToleranceMs: number;
}

/** A rule set as the engine reads it: by name, by scope, and each rule's timing. */
export class RuleSet {
  readonly byName: ReadonlyMap<string, CompiledRule>;
  readonly participant: readonly CompiledRule[];
  /** instance and shared_cause rules. */
  readonly group: readonly CompiledRule[];
  /** shared_cause rules that explain the alerts of their group. */
  readonly explaining: readonly CompiledRule[];
  readonly timing: ReadonlyMap<string, Timing>;
  /** Each participant rule's `for`, in `participant` order. */
  readonly participantForMs: Float64Array;
  /** The distinct values the rules read (columns.ts); each group rule's column, in `group` order. */
  readonly columns: readonly Column[];
  readonly groupColumn: readonly number[];

  constructor(
    readonly list: CompiledRule[],
    opts: EngineOptions,
  ) {
    this.byName = new Map(list.map((r) => [r.name, r]));
    this.participant = list.filter((r) => r.scope === 'participant');
    this.explaining = list.filter((r) => r.scope === 'shared_cause' && r.explains);
    this.group = list.filter((r) => r.scope !== 'participant');
    const { columns, columnOf } = columnsOf(list, this.participant);
    this.columns = columns;
    this.groupColumn = this.group.map((r) => columnOf.get(r)!);
    this.participantForMs = Float64Array.from(this.participant, (r) => r.forMs);
    this.timing = new Map(
      list.map((r) => [
        r.name,
        {
          forMs: r.forMs,
          recoveryForMs: r.recoveryForMs,
          gapToleranceMs: opts.gapToleranceMs,
          // A group rule's value is the share of its members breaching: more is worse.
          worseUp: r.scope !== 'participant' || r.above,
        },
      ]),
    );
  }
}
