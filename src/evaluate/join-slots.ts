import { sameInstance } from '../normalize/join-versions.js';
import { keptContext } from '../normalize/kept-context.js';
import type { InstanceRef, ParticipantContext, QosSample } from '../normalize/sample.js';

/**
 * One small integer per join (instance key + participant key), found once per sample and
 * shared by every rule: group members are kept by slot, so a rule's update costs no string
 * key and no lookup of its own. A slot is freed when its join leaves or its instance ends,
 * and reused, so the slots in use follow the live joins, not every join ever seen.
 */
export class JoinSlots {
  /** instance key -> participant key -> slot. */
  private readonly byInstance = new Map<string, Map<string, number>>();
  /**
   * instance key -> a number for the instance while it has joins (`byInstance`), never given to
   * another: a shared cause counts its instances by it (time-tally.ts), not by the key's hash.
   */
  private readonly instanceIds = new Map<string, number>();
  private lastInstanceId = 0;
  /** Per slot: its instance key (the last one's, when free) and participant key ('' when free). */
  private readonly instanceOf: string[] = [];
  private readonly participantOf: string[] = [];
  /** Per slot: its instance's number (`instanceIds`), kept like its instance key when the slot is freed. */
  private readonly instanceIdOfSlot: number[] = [];
  /** Per slot: the participants map of its instance (`instance`) while the slot is in use: a guess at a slot is checked against it. */
  private readonly mapOf: (Map<string, number> | undefined)[] = [];
  private readonly free: number[] = [];
  /** Per slot: the join's context as kept (see `context`). */
  private readonly contextOf: (Readonly<ParticipantContext> | undefined)[] = [];
  /**
   * Per slot: 1 when the name of its last sample (`seenNameOf`) is the one last remembered for
   * the join (join-names.ts), not a second reference to the name (h23m: 9-13 B per participant).
   */
  private nameKnown = new Uint8Array(64);
  /** Per slot: the instance its last sample had (one with the same fields is not kept). */
  private readonly instanceRefs: (InstanceRef | undefined)[] = [];
  /**
   * Per slot: what rules read of its participant (filters, names, alert contexts) as its last
   * sample had it: its name, e-mail and label (its key is the slot's). Three texts the live
   * state holds too, not the sample's participant object (72 B, and its join and person ids).
   */
  private readonly seenNameOf: (string | undefined)[] = [];
  private readonly emailOf: (string | undefined)[] = [];
  /** Made when a join first has a label (a person on two devices at once, poll/joins.ts): most never do. */
  private labelOf: (string | undefined)[] | undefined;
  /**
   * Per slot: a number that changes whenever what rules read of the join besides its values
   * changed (its instance, its participant's name, e-mail or label, or its context fields), or the slot was taken by another
   * join. What is worked out from those (a rule's filter, a shared cause's group, an alert's
   * context) is worked out again only then, not per sample. 0: never seen.
   */
  private stampOf = new Int32Array(64);
  private clock = 0;
  /**
   * Per slot: the join version (normalize/join-versions.ts) of the sample its join was last
   * taken from in full (`see`, then `took`), 0 when none; per de-duplicator row, the slot last
   * taken from one of its samples. A sample of the same version is of the same join, with the
   * same instance, texts and context: its slot is found by its row (`ofVersion`) and nothing is
   * taken again.
   */
  private versionOf = new Float64Array(64);
  private slotOfRow = new Int32Array(64);
  /**
   * What keeps readings of joins (each group rule's GroupReadings), told before a join's kept
   * context or instance is replaced: held weakly, so that a rule dropped on reload goes.
   */
  private readonly watchers: WeakRef<SlotWatcher>[] = [];

  /** `w` is told of every join's context or instance about to be replaced (SlotWatcher). */
  watch(w: SlotWatcher): void {
    this.watchers.push(new WeakRef(w));
  }

  private moving(
    slot: number,
    context: Readonly<ParticipantContext> | undefined,
    instance: InstanceRef | undefined,
  ): void {
    let dead = false;
    for (const ref of this.watchers) {
      const w = ref.deref();
      if (w) w.moving(slot, context, instance);
      else dead = true;
    }
    if (dead)
      for (let i = this.watchers.length - 1; i >= 0; i--)
        if (!this.watchers[i]!.deref()) this.watchers.splice(i, 1);
  }

  /** The participants of an instance with a slot (participant key -> slot); made when missing. */
  instance(ikey: string): Map<string, number> {
    let inst = this.byInstance.get(ikey);
    if (!inst) {
      this.byInstance.set(ikey, (inst = new Map<string, number>()));
      this.instanceIds.set(ikey, ++this.lastInstanceId);
    }
    return inst;
  }

  /** The participants of an instance with a slot (participant key -> slot), if it has any. */
  joinsOf(ikey: string): ReadonlyMap<string, number> | undefined {
    return this.byInstance.get(ikey);
  }

  /**
   * The slot of a join of `inst` (from `instance(ikey)`), taken when it has none. `guess`: the
   * slot the join is likely to have (the one at its place in its instance's samples last time,
   * ColumnValues): taken when it is that join's, checked by two comparisons of references
   * (its instance's map and its participant key), not looked up by the key's hash.
   */
  slotIn(inst: Map<string, number>, ikey: string, pkey: string, guess = -1): number {
    if (guess >= 0 && this.mapOf[guess] === inst && this.participantOf[guess] === pkey) return guess;
    let slot = inst.get(pkey);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.instanceOf.length;
      this.instanceOf[slot] = ikey;
      this.instanceIdOfSlot[slot] = this.instanceIds.get(ikey)!;
      this.participantOf[slot] = pkey;
      this.mapOf[slot] = inst;
      inst.set(pkey, slot);
    }
    return slot;
  }

  slot(ikey: string, pkey: string): number {
    return this.slotIn(this.instance(ikey), ikey, pkey);
  }

  /** The slot of a join, or undefined when it has none. */
  find(ikey: string, pkey: string): number | undefined {
    return this.byInstance.get(ikey)?.get(pkey);
  }

  instanceKeyOf(slot: number): string {
    return this.instanceOf[slot]!;
  }

  /** The participant name of the join's last sample (`see`). */
  nameOf(slot: number): string {
    return this.seenNameOf[slot]!;
  }

  /**
   * The number of the slot's instance: one per instance key while the instance has joins, so
   * the same for all of them, and never another instance's (a key that comes back after its
   * instance ended gets a new one, its old joins' readings being gone by then: departures.ts).
   */
  instanceIdOf(slot: number): number {
    return this.instanceIdOfSlot[slot]!;
  }

  participantKeyOf(slot: number): string {
    return this.participantOf[slot]!;
  }

  /**
   * The join's context as kept (normalize/kept-context.ts): the one kept before when the
   * sample's is the same, so every rule's group member and the join's alerts hold one object,
   * and its texts shared, however many samples and rules it went through.
   */
  context(slot: number, c: ParticipantContext): Readonly<ParticipantContext> {
    const was = this.contextOf[slot];
    const kept = keptContext(c, was);
    if (kept !== was && was) this.moving(slot, was, this.instanceRefs[slot]);
    return (this.contextOf[slot] = kept);
  }

  /**
   * Takes a sample of the join in `slot`: keeps its context (see `context`) and changes the
   * slot's stamp when its instance, participant or context fields are not the ones before.
   */
  see(slot: number, s: QosSample): void {
    if (slot >= this.stampOf.length) {
      const size = Math.max(slot + 1, this.stampOf.length * 2);
      const grown = new Int32Array(size);
      grown.set(this.stampOf);
      this.stampOf = grown;
      const known = new Uint8Array(size);
      known.set(this.nameKnown);
      this.nameKnown = known;
    }
    let changed = this.stampOf[slot] === 0;
    const was = this.contextOf[slot];
    const kept = keptContext(s.context, was);
    const inst = this.instanceRefs[slot];
    const otherInstance = inst !== s.instance && !(inst && sameInstance(inst, s.instance));
    // Readings taken of the join as it was keep what they were taken with (a new join has none).
    if ((kept !== was || otherInstance) && !changed) this.moving(slot, was, inst);
    if (kept !== was) {
      this.contextOf[slot] = kept; // written only when changed: a write of an object costs a barrier
      changed = true;
    }
    if (otherInstance) {
      this.instanceRefs[slot] = s.instance;
      changed = true;
    }
    const { name, email, label } = s.participant;
    if (this.seenNameOf[slot] !== name || this.emailOf[slot] !== email || this.labelOf?.[slot] !== label) {
      if (this.seenNameOf[slot] !== name) this.nameKnown[slot] = 0;
      this.seenNameOf[slot] = name;
      this.emailOf[slot] = email;
      if (label !== undefined || this.labelOf) (this.labelOf ??= [])[slot] = label;
      changed = true;
    }
    if (changed) this.stampOf[slot] = ++this.clock;
  }

  /** The slot of the join whose sample has join version `version` of row `row`, when that is the version it was last taken from (`took`); else -1. */
  ofVersion(row: number, version: number): number {
    if (!(row >= 0 && row < this.slotOfRow.length)) return -1;
    const slot = this.slotOfRow[row]!;
    return this.versionOf[slot] === version ? slot : -1;
  }

  /**
   * The join in `slot` was just taken from a sample (`see`) of join version `version` of
   * de-duplicator row `row` (-1 and 0: a sample without, which none of its join's later samples matches).
   */
  took(slot: number, row: number, version: number): void {
    if (slot >= this.versionOf.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.versionOf.length * 2));
      grown.set(this.versionOf);
      this.versionOf = grown;
    }
    this.versionOf[slot] = row < 0 ? 0 : version;
    if (row < 0) return;
    if (row >= this.slotOfRow.length) {
      const grown = new Int32Array(Math.max(row + 1, this.slotOfRow.length * 2));
      grown.set(this.slotOfRow);
      this.slotOfRow = grown;
    }
    this.slotOfRow[row] = slot;
  }

  /** The slot's stamp (see `see`); 0 before its first sample. */
  stamp(slot: number): number {
    return this.stampOf[slot] ?? 0;
  }

  /** The join's instance as its last sample had it (`see`). */
  instanceRefOf(slot: number): InstanceRef | undefined {
    return this.instanceRefs[slot];
  }

  /** The join's context as last kept (`see`, `context`). */
  keptContextOf(slot: number): Readonly<ParticipantContext> | undefined {
    return this.contextOf[slot];
  }

  /**
   * Whether the join's name is not the one last remembered for it (and remembers it): the
   * instance's names (join-names.ts) are told a join's name once, not at every sample.
   */
  rememberName(slot: number, name: string): boolean {
    const seen = this.seenNameOf[slot] === name;
    if (seen && this.nameKnown[slot] === 1) return false;
    // A name other than the last sample's (two names of one join in one step) is told again
    // next time: telling join-names.ts a name it has is a no-op.
    if (seen) this.nameKnown[slot] = 1;
    return true;
  }

  /** Frees the slots of joins that left; returns them, for their readings to be dropped before any is reused. */
  leave(ikey: string, participants: Iterable<string>): number[] {
    const inst = this.byInstance.get(ikey);
    const freed: number[] = [];
    if (!inst) return freed;
    for (const p of participants) {
      const slot = inst.get(p);
      if (slot === undefined) continue;
      inst.delete(p);
      freed.push(slot);
    }
    if (!inst.size) this.dropInstance(ikey);
    this.release(freed);
    return freed;
  }

  /** Frees the slots of an ended instance's joins; returns them, as `leave` does. */
  end(ikey: string): number[] {
    const inst = this.byInstance.get(ikey);
    this.dropInstance(ikey);
    const freed = inst ? [...inst.values()] : [];
    this.release(freed);
    return freed;
  }

  private dropInstance(ikey: string): void {
    this.byInstance.delete(ikey);
    this.instanceIds.delete(ikey);
  }

  private release(slots: readonly number[]): void {
    for (const s of slots) {
      // instanceOf stays until the slot is taken again: readings dropped with it still say their instance.
      this.participantOf[s] = '';
      this.mapOf[s] = undefined;
      this.contextOf[s] = undefined;
      if (s < this.nameKnown.length) this.nameKnown[s] = 0;
      this.instanceRefs[s] = undefined;
      this.seenNameOf[s] = undefined;
      this.emailOf[s] = undefined;
      if (this.labelOf) this.labelOf[s] = undefined;
      if (s < this.stampOf.length) this.stampOf[s] = 0;
      if (s < this.versionOf.length) this.versionOf[s] = 0;
      this.free.push(s);
    }
  }

  /** Slots in use (joins with a slot). */
  get size(): number {
    return this.instanceOf.length - this.free.length;
  }

  /** The highest number of slots ever in use at once: what the per-slot arrays are sized by. */
  get capacity(): number {
    return this.instanceOf.length;
  }
}

/**
 * Keeps readings of joins by slot (a group rule's GroupReadings): told, before a join's kept
 * context or instance is replaced, what they were.
 */
export interface SlotWatcher {
  moving(
    slot: number,
    context: Readonly<ParticipantContext> | undefined,
    instance: InstanceRef | undefined,
  ): void;
}
