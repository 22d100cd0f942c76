import { RuleEngine } from '../../src/evaluate/engine.js';
import type { CompiledRule } from '../../src/evaluate/rule-types.js';
import type { InstanceRef, QosSample } from '../../src/normalize/sample.js';
import { gc } from './ratio.js';
import { again } from './workload.js';

const MIN = 60_000;

/**
 * A warm engine over the meetings of `who` (their minutes quiet: the same values again, as
 * workload.ts's `again` makes them), whose meetings end a few at a time, in order: a quiet
 * minute reads the meetings not ended yet.
 */
export class EndingMeetings {
  readonly engine: RuleEngine;
  /** The samples of the next minute (`fresh`), read by `read`. */
  next: QosSample[] = [];
  private readonly meetings: InstanceRef[];
  private ended = 0;
  private minute = 0;

  /** `warm`: quiet minutes read before the first figure (all series made, readings shared). */
  constructor(
    rules: CompiledRule[],
    private readonly who: readonly QosSample[],
    private readonly t0: number,
    warm: number,
  ) {
    this.engine = new RuleEngine(rules, { gapToleranceMs: 300_000 });
    this.meetings = [...new Map(who.map((s) => [s.instance.uuid, s.instance])).values()];
    for (let i = 0; i < warm; i++) this.quiet();
  }

  /** Makes the next minute's samples (the meetings not ended), after a full collection. */
  fresh(): void {
    this.next = [];
    gc();
    const live = new Set(this.meetings.slice(this.ended).map((m) => m.uuid));
    const time = this.t0 + ++this.minute * MIN;
    this.next = this.who.filter((s) => live.has(s.instance.uuid)).map((s) => again(s, time));
  }

  /** Reads the minute `fresh` made; returns the changes it made. */
  read(): number {
    const samples = this.next;
    this.next = [];
    return this.engine.handle({ type: 'samples', samples }).length;
  }

  /** A quiet minute made and read. */
  quiet(): void {
    this.fresh();
    this.read();
  }

  /** The next `n` meetings end, at the last minute read; returns the changes they made. */
  end(n: number): number {
    let changes = 0;
    for (let k = 0; k < n; k++) {
      const instance = this.meetings[this.ended++];
      if (!instance) throw new Error(`only ${this.meetings.length} meetings to end`);
      changes += this.engine.handle({ type: 'ended', instance, at: this.t0 + this.minute * MIN }).length;
    }
    return changes;
  }
}
