import type { Explainer } from './explain.js';
import type { GroupKeys } from './group-keys.js';
import type { JoinNames } from './join-names.js';
import type { GroupReadings } from './member-group.js';
import type { EngineOptions, RuleSet } from './rule-set.js';
import type { Departed, EngineState, SeriesBook } from './series.js';
import type { UnknownReadings } from './unknown-readings.js';

/** What the engine's parts share: its state and the rules it evaluates (see engine.ts). */
export interface EngineContext {
  readonly opts: EngineOptions;
  readonly state: EngineState;
  readonly series: SeriesBook;
  /** Swapped on reload (RuleEngine.setRules). */
  rules: RuleSet;
  /** Per group rule (in `rules.group` order), its members' readings by join slot; kept for a rule a reload keeps. */
  slotMembers: GroupReadings[];
  /** The group rules in families that work out a join's group once (group-keys.ts); made again on reload. */
  groupKeys: GroupKeys[];
  readonly explainer: Explainer;
  readonly names: JoinNames;
  /** Group members whose reading at a sample time is unknown (restart, late backlog). */
  readonly unknown: UnknownReadings;
  /**
   * The group alerts' departures made in this pass (departed.ts): written in place until it
   * ends. Made anew when a pass (RuleEngine.handle, reconcile, setRules) begins.
   */
  departedOwned: WeakSet<Departed>;
}
