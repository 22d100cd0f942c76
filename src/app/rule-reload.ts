import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AlertChange } from '../evaluate/alert.js';
import type { RuleEngine } from '../evaluate/engine.js';
import { loadRules } from '../evaluate/load-rules.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import type { Clock } from '../util/clock.js';
import { FileInvalidError } from '../util/file-errors.js';
import { FileWatch } from '../util/watch-file.js';
import { plural } from '../util/words.js';

/**
 * A reload by watch waits until the rule files have been still this long: no change seen, and
 * no file modified (its mtime) within it, nor ahead of now. A writer that pauses mid-file (a
 * slow copy, a tool that truncates and then writes) is not read half-written: 300 ms of quiet
 * took a file cut at a rule boundary, resolving the firing alerts of the rules not yet written
 * (outside tester hT43, F2).
 */
export const STABLE_MS = 3_000;

/**
 * A reload by watch that would resolve firing alerts (their rules gone from the new set, or their
 * scope or group_by changed) is held this long, and taken if the files are still unchanged then; SIGHUP takes it at once.
 */
export const HOLD_MS = 30_000;

/** The newest modification time of the rule files (a folder's entries included); -Infinity when none. */
function newestChange(paths: readonly string[]): number {
  let newest = -Infinity;
  const seen = (p: string): boolean => {
    try {
      const st = statSync(p);
      newest = Math.max(newest, st.mtimeMs);
      return st.isDirectory();
    } catch {
      return false;
    }
  };
  for (const p of paths)
    if (seen(p))
      try {
        for (const name of readdirSync(p)) seen(join(p, name));
      } catch {
        // unreadable: the reload says so
      }
  return newest;
}

/** A rule set read from the files, or why it could not be. */
type LoadedRules = { rules: CompiledRule[] } | { error: unknown };

function loadRuleSet(paths: readonly string[]): LoadedRules {
  try {
    return { rules: loadRules(paths) };
  } catch (error) {
    return { error };
  }
}

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
  /** When a rule file was last seen to change (clock time). */
  changedAt = -Infinity;
  /** A file dated ahead of the clock was logged (once per wait). */
  private aheadLogged = false;
  /**
   * The change held (its time and the files' newest date), and the rules with firing alerts it
   * would resolve, as logged.
   */
  private held: { change: string; rules: ReadonlySet<string> } | undefined;

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

  /**
   * Loads the rule files again, or takes `loaded`, the set a watched change read and checked
   * (read once per change); an invalid set is rejected with its problems and the old set keeps
   * running.
   */
  reload(loaded: LoadedRules = loadRuleSet(this.paths)): boolean {
    clearTimeout(this.timer);
    this.held = undefined;
    const at = this.clock.now();
    if ('error' in loaded) {
      const err = loaded.error;
      const problems = err instanceof FileInvalidError ? err.message.split('\n') : [(err as Error).message];
      this.state = { ok: false, at, problems };
      const n = this.engine.ruleList.length;
      this.log.error(
        { problems },
        `rules not reloaded, the previous ${plural(n, 'rule')} ${n === 1 ? 'keeps' : 'keep'} running:\n${problems.join('\n')}`,
      );
      return false;
    }
    const { rules } = loaded;
    const changes = this.engine.setRules(rules, at);
    this.state = { ok: true, at, problems: [] };
    const removed = changes.length
      ? `; ${plural(changes.length, 'firing alert')} resolved (rules removed, or their scope or group_by changed)`
      : '';
    this.log.info(
      { rules: rules.length, resolved: changes.length },
      `rules reloaded: ${plural(rules.length, 'rule')}${removed}`,
    );
    this.told.loaded?.(rules);
    this.told.changes?.(changes);
    return true;
  }

  /**
   * Reloads when a rule file changes, once the files have been still for STABLE_MS (editors and
   * copies write in several steps). A file or a folder is watched through the folder above it as
   * well (FileWatch), so a save that renames a new one over it, or deletes and re-creates it, is
   * seen each time and not only the first.
   */
  watch(): void {
    const changed = (): void => this.changed();
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

  /** A rule file changed: the reload waits until they are all still (settle). */
  changed(): void {
    this.changedAt = this.clock.now();
    this.wait(STABLE_MS);
  }

  /**
   * Reloads if no change was seen and no file modified within STABLE_MS; else waits for the
   * rest. The files are read once: the set checked (holds) is the set taken, and one modified
   * while it was read is read again once still.
   */
  private settle(): void {
    const now = this.clock.now();
    const newest = newestChange(this.paths);
    const still = now - Math.max(this.changedAt, newest);
    if (still >= STABLE_MS) {
      this.aheadLogged = false;
      const loaded = loadRuleSet(this.paths);
      if (newestChange(this.paths) !== newest) return this.changed();
      if (!this.holds(`${this.changedAt}:${newest}`, loaded)) this.reload(loaded);
      return;
    }
    if (newest > now && !this.aheadLogged) {
      this.aheadLogged = true;
      this.log.warn(
        { ahead_ms: newest - now },
        "a rule file is dated ahead of this machine's clock: it is reloaded once the clock is past it, or at SIGHUP",
      );
    }
    this.wait(Math.min(60_000, STABLE_MS - still));
  }

  /**
   * Whether the change is held: the new set leaves out rules with firing alerts, or changes
   * their scope or group_by, whose alerts would resolve (`rule_removed`, notified) and fire again
   * under new ids if the files were only half written (or the edit a slip). Held once, for
   * HOLD_MS; the same change, still there after it and resolving no rule it did not name, is
   * taken.
   */
  private holds(change: string, loaded: LoadedRules): boolean {
    if ('error' in loaded) return false; // invalid: the reload says why, and keeps the old set
    const { removed, regrouped } = this.engine.firingResolvedBy(loaded.rules);
    const names = [...removed, ...regrouped];
    const held = this.held;
    if (!names.length || (held?.change === change && names.every((n) => held.rules.has(n)))) return false;
    this.held = { change, rules: new Set(names) };
    const parts = [
      ...(removed.length
        ? [`leaves out ${plural(removed.length, 'rule')} with firing alerts (${removed.join(', ')})`]
        : []),
      ...(regrouped.length
        ? [
            `changes the scope or group_by of ${plural(regrouped.length, 'rule')} with firing alerts (${regrouped.join(', ')})`,
          ]
        : []),
    ];
    this.log.warn(
      { rules: removed, regrouped },
      `rule files changed, not reloaded yet: the new set ${parts.join(' and ')}; ` +
        `taken in ${HOLD_MS / 1000} s if the files stay as they are, or now at SIGHUP`,
    );
    this.wait(HOLD_MS);
    return true;
  }

  private wait(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(), ms);
    this.timer.unref();
  }

  /** Stops watching the rule files. */
  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    clearTimeout(this.timer);
  }
}
