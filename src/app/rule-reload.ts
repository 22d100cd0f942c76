import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AlertChange } from '../evaluate/alert.js';
import type { RuleEngine } from '../evaluate/engine.js';
import { loadRules } from '../evaluate/load-rules.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import type { Clock } from '../util/clock.js';
import { FileInvalidError } from '../util/file-errors.js';
import { FileWatch } from '../util/watch-file.js';
import { plural } from '../util/words.js';

/** The last rule reload: when, whether it took, and why not. */
export interface ReloadState {
  ok: boolean;
  at: number;
  problems: string[];
}

/** Reloads the rule files on SIGHUP or when they change; an invalid set keeps the old one running. */
export class RuleReloader {
  state: ReloadState;
  private watchers: { close(): void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly paths: readonly string[],
    private readonly engine: RuleEngine,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly told: {
      /** Each rule set that took (the daemon logs what it makes qoswatch read). */
      loaded?: (rules: readonly CompiledRule[]) => void;
      /** The resolves of firing alerts whose rule the new set removed (the daemon notifies them). */
      changes?: (changes: AlertChange[]) => void;
    } = {},
  ) {
    this.state = { ok: true, at: clock.now(), problems: [] };
  }

  /** Loads the rule files again; an invalid set is rejected with its problems and the old set keeps running. */
  reload(): boolean {
    const at = this.clock.now();
    try {
      const rules = loadRules(this.paths);
      const changes = this.engine.setRules(rules, at);
      this.state = { ok: true, at, problems: [] };
      const removed = changes.length
        ? `; ${plural(changes.length, 'firing alert')} of removed rules resolved`
        : '';
      this.log.info(
        { rules: rules.length, resolved: changes.length },
        `rules reloaded: ${plural(rules.length, 'rule')}${removed}`,
      );
      this.told.loaded?.(rules);
      this.told.changes?.(changes);
      return true;
    } catch (err) {
      const problems = err instanceof FileInvalidError ? err.message.split('\n') : [(err as Error).message];
      this.state = { ok: false, at, problems };
      const n = this.engine.ruleList.length;
      this.log.error(
        { problems },
        `rules not reloaded, the previous ${plural(n, 'rule')} ${n === 1 ? 'keeps' : 'keep'} running:\n${problems.join('\n')}`,
      );
      return false;
    }
  }

  /**
   * Reloads when a rule file changes (debounced: editors write in several steps). A file or a
   * folder is watched through the folder above it as well (FileWatch), so a save that renames a
   * new one over it, or deletes and re-creates it, is seen each time and not only the first.
   */
  watch(): void {
    const changed = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), 300);
    };
    for (const p of this.paths) {
      try {
        this.watchers.push(new FileWatch(p, changed, statSync(p).isDirectory()));
      } catch (err) {
        this.log.warn(
          { path: p, err: (err as Error).message },
          'cannot watch rule path; SIGHUP still reloads',
        );
      }
    }
  }

  /** Stops watching the rule files. */
  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    clearTimeout(this.timer);
  }
}
