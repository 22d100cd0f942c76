import type { Logger } from 'pino';
import type { AlertChange } from '../evaluate/alert.js';
import type { RuleEngine } from '../evaluate/engine.js';
import type { EvaluatedUpTo } from '../evaluate/evaluated.js';
import type { AlertStateStore } from '../evaluate/state-store.js';
import type { PipelineEvent, SampleSink } from '../normalize/events.js';
import type { Dispatcher } from '../notify/dispatcher.js';

/** Fans one event out to every sink; a failing sink is logged and does not stop the others. */
export class FanOut implements SampleSink {
  private readonly sinks: SampleSink[];

  constructor(
    sinks: readonly SampleSink[],
    private readonly log: Logger,
  ) {
    this.sinks = [...sinks];
  }

  /** Adds a sink after those already there: it gets every event from the next one on. */
  add(sink: SampleSink): void {
    this.sinks.push(sink);
  }

  handle(event: PipelineEvent): void {
    for (const s of this.sinks) {
      try {
        s.handle(event);
      } catch (err) {
        this.log.error({ err }, 'a sample consumer failed');
      }
    }
  }
}

/**
 * Alert changes from the rule engine to their listeners at once, and to the dispatcher once the
 * alert state that holds them is saved (commit).
 */
export class AlertFlow {
  private to: Dispatcher | undefined;
  /** Alert changes the dispatcher gets once the alert state that holds them is saved. */
  private toDispatch: AlertChange[] = [];
  private readonly listeners: ((changes: AlertChange[]) => void)[] = [];
  private readonly committed: (() => void)[] = [];
  /** The sink that evaluates the rules on every event not evaluated before (across restarts). */
  readonly evaluate: SampleSink = {
    handle: (e) => this.emit(this.engine.handle(this.evaluated.filter(e))),
  };

  constructor(
    private readonly engine: RuleEngine,
    private readonly evaluated: EvaluatedUpTo,
    readonly store: AlertStateStore,
  ) {}

  /** The dispatcher that gets the changes at each commit (none until startNotifications built one). */
  get dispatcher(): Dispatcher | undefined {
    return this.to;
  }

  /** From the next change on, changes other than pending go to this dispatcher at each commit. */
  dispatchTo(dispatcher: Dispatcher | undefined): void {
    this.to = dispatcher;
  }

  /** Called with every batch of alert changes (pending, firing, resolved). */
  onAlerts(listener: (changes: AlertChange[]) => void): void {
    this.listeners.push(listener);
  }

  /** Called after every commit (the changes it held are with the dispatcher). */
  onCommit(listener: () => void): void {
    this.committed.push(listener);
  }

  /** How many alert changes wait for the next commit to reach the dispatcher. */
  get waiting(): number {
    return this.toDispatch.length;
  }

  emit(changes: AlertChange[]): void {
    if (!changes.length) return;
    if (this.to) for (const c of changes) if (c.state !== 'pending') this.toDispatch.push(c);
    for (const l of this.listeners) l(changes);
  }

  /**
   * Saves the alert state, then hands the dispatcher the changes it holds (which it saves in
   * turn). In this order a kill at any instant leaves either both saved, or the alert state
   * ahead of the dispatcher's, which `Dispatcher.seed` reconciles at the next start. Unless
   * `force` (a stop), the save is skipped when only the newest times changed (AlertStateStore.save).
   */
  commit(force = false): void {
    this.evaluated.prune();
    const changes = this.toDispatch;
    this.store.save(
      this.engine.state,
      this.evaluated.entries(),
      changes.filter((c) => c.state === 'resolved').map((c) => c.alert),
      force,
    );
    this.toDispatch = [];
    this.to?.ingest(changes);
    for (const l of this.committed) l();
  }
}
