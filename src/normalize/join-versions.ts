import { keptContext } from './kept-context.js';
import type { InstanceRef, ParticipantContext, QosSample } from './sample.js';

/**
 * The last version given to a join, in any de-duplicator of the process: versions are never
 * given twice, so a version names one join as its samples had it at one time.
 */
let lastVersion = 0;

/**
 * Per de-duplicator row (dedup.ts: one per join), what the rule engine reads of a join besides
 * its values (its instance, its participant's name, e-mail and label, its context), as its
 * samples handed on had it, and a version that changes whenever that changed or the row was
 * taken by another join. A sample handed on carries its join's row and version
 * (sample-numbers.ts `setJoinOf`): a holder that took a sample of that version
 * (evaluate/join-slots.ts) takes the next one of the same version by its row, without reading
 * or comparing any of it again (issue 16: 11% of the engine's quiet minute). The texts and
 * context are the first sample's, kept while equal (the engine keeps the same ones), and let go
 * of when the join has been quiet for a while (`forget`). About 48 bytes per row.
 */
export class JoinVersions {
  private version = new Float64Array(64);
  private readonly context: (Readonly<ParticipantContext> | undefined)[] = [];
  private readonly instance: (InstanceRef | undefined)[] = [];
  private readonly name: (string | undefined)[] = [];
  private readonly email: (string | undefined)[] = [];
  /** Made when a join first has a label: most never do. */
  private label: (string | undefined)[] | undefined;

  /**
   * The version of row `r`'s join after its sample `s` (new to the row's join, or its first):
   * the one before when its instance, participant texts and context are the same, else a new one.
   */
  see(r: number, s: QosSample): number {
    if (r >= this.version.length) {
      const grown = new Float64Array(Math.max(r + 1, this.version.length * 2));
      grown.set(this.version);
      this.version = grown;
    }
    let same = this.version[r] !== 0;
    const was = this.context[r];
    const kept = keptContext(s.context, was);
    if (kept !== was) {
      this.context[r] = kept;
      same = false;
    }
    const inst = this.instance[r];
    if (inst !== s.instance && !(inst && sameInstance(inst, s.instance))) {
      this.instance[r] = s.instance;
      same = false;
    }
    const { name, email, label } = s.participant;
    if (this.name[r] !== name || this.email[r] !== email || this.label?.[r] !== label) {
      this.name[r] = name;
      this.email[r] = email;
      if (label !== undefined || this.label) (this.label ??= [])[r] = label;
      same = false;
    }
    if (!same) this.version[r] = ++lastVersion;
    return this.version[r]!;
  }

  /** Lets go of what row `r` kept (its join went quiet, or the row was freed): its next sample gets a new version. */
  forget(r: number): void {
    if (r >= this.version.length || this.version[r] === 0) return;
    this.version[r] = 0;
    this.context[r] = undefined;
    this.instance[r] = undefined;
    this.name[r] = undefined;
    this.email[r] = undefined;
    if (this.label) this.label[r] = undefined;
  }
}

/**
 * The same instance fields with the same values (a new poll's instance object usually holds the
 * same): the four fields read one by one, not a walk over each object's keys (4% of the quiet minute).
 */
export function sameInstance(a: InstanceRef, b: InstanceRef): boolean {
  return a === b || (a.uuid === b.uuid && a.id === b.id && a.kind === b.kind && a.topic === b.topic);
}
