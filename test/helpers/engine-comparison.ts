import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RESOLVE_REASONS,
  type AlertChange,
  type AlertReason,
  type ResolveReason,
} from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import { instanceKey } from '../../src/normalize/events.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { JoinVersions } from '../../src/normalize/join-versions.js';
import { attachNumbers, numbersChunk, numbersOf, setJoinOf } from '../../src/normalize/sample-numbers.js';
import type { CaseEvent, EngineCase } from './random-engine-case.js';
import { ReferenceEngine, type RefAlert } from './reference-engine.js';
import { MIN, rulesFrom, T } from './rules.js';

/** The first event after which the engine and the reference differ: what only each of them said. */
export interface Mismatch {
  event: number;
  what: 'changes' | 'active alerts';
  onlyEngine: string[];
  onlyReference: string[];
}

/** What a run of a case exercised (the property test checks the cases reach every part). */
export interface Exercised {
  events: number;
  changes: number;
  /** Changes and active alerts with an explanation; changes that link or unlink one while firing. */
  explained: number;
  relinked: number;
  /** Readings exactly on a threshold or a recovery threshold. */
  onThreshold: number;
  /** Resolves of meeting and shared-cause alerts that did not recover: members left, or moved out. */
  groupLeft: number;
  groupMoved: number;
  /** Alerts a reload resolved (rule_removed) because it changed their rule's group_by. */
  regrouped: number;
  /**
   * Shared-cause alerts still held after a meeting's end, their group value reading as that
   * meeting's key (a data center `meeting:a==`): the end drops only meeting rules' groups (c6a2682).
   */
  keyEnded: number;
}

/** An Exercised of nothing yet. */
export const noneExercised = (): Exercised => ({
  events: 0,
  changes: 0,
  explained: 0,
  relinked: 0,
  onThreshold: 0,
  groupLeft: 0,
  groupMoved: 0,
  regrouped: 0,
  keyEnded: 0,
});

/** An alert change or an active alert in one line: id, state, meetings and explanation. */
const line = (a: RefAlert): string =>
  [
    `${a.id} ${a.previous ? `${a.previous}->` : ''}${a.state}`,
    a.reason ? ` (${a.reason})` : '',
    a.meetings === undefined ? '' : ` in ${a.meetings}`,
    a.explainedBy ? ` explainedBy=${a.explainedBy}` : '',
    a.inhibitedBy ? ` inhibitedBy=${a.inhibitedBy}` : '',
    a.explanation ? ` "${a.explanation}"` : '',
    a.worst === undefined ? '' : ` worst=${a.worst}@${minute(a.worstAt!)}`,
  ].join('');

/** The engine resolves with one of RESOLVE_REASONS (another word is only read back from notify.json). */
function engineReason(r: AlertReason | undefined): ResolveReason | undefined {
  const known = RESOLVE_REASONS.find((k) => k === r);
  if (r !== undefined && !known)
    throw new Error(`the engine resolved with reason ${r}, not one of RESOLVE_REASONS`);
  return known;
}

/** An engine change as the reference says one (a pending change says no more than that it is pending). */
function engineChange(c: AlertChange): RefAlert {
  const a = c.alert;
  if (c.state === 'pending') return { id: a.id, previous: c.previous, state: c.state };
  return {
    id: a.id,
    previous: c.previous,
    state: c.state,
    ...(c.state === 'resolved' ? { reason: engineReason(a.reason) } : {}),
    ...(a.explainedBy ? { explainedBy: a.explainedBy } : {}),
    ...(a.inhibitedBy ? { inhibitedBy: a.inhibitedBy } : {}),
    ...(a.explanation ? { explanation: a.explanation } : {}),
    ...(a.worst !== undefined ? { worst: a.worst, worstAt: a.worstAt! } : {}),
  };
}

/**
 * Gives samples their numbers as the normalizer writes them (one after another in a chunk:
 * normalize/sample-numbers.ts), where they have none: the engine reads a sample's values from
 * its numbers when it has them, else from its objects, and the reference from its objects. The
 * samples of two events in three get them, so that the cases compare both ways of reading.
 */
function withNumbers(samples: readonly QosSample[]): void {
  for (const s of samples) if (!numbersChunk(s)) attachNumbers(s, numbersOf(s));
}

/**
 * Gives samples with numbers their join's row and version as the de-duplicator does
 * (normalize/join-versions.ts): a row per join, its version changed with its context,
 * instance or texts. The engine finds the join of a sample of the version it last took by its
 * row and reads nothing of it again; samples of a context that changed get a new version.
 */
class Versions {
  private readonly rows = new Map<string, number>();
  private readonly versions = new JoinVersions();

  give(samples: readonly QosSample[]): void {
    for (const s of samples) {
      const key = `${instanceKey(s.instance)}\u0000${s.participant.key}`;
      let row = this.rows.get(key);
      if (row === undefined) this.rows.set(key, (row = this.rows.size));
      setJoinOf(s, row, this.versions.see(row, s));
    }
  }
}

/** What only `a` holds and only `b` holds (as multisets). */
function difference(a: string[], b: string[]): [string[], string[]] {
  const left = [...b];
  const onlyA: string[] = [];
  for (const x of a) {
    const i = left.indexOf(x);
    if (i < 0) onlyA.push(x);
    else left.splice(i, 1);
  }
  return [onlyA, left];
}

/**
 * Runs a case through the engine and the reference side by side; after each event, compares
 * the changes made and the pending and firing alerts held (with, for shared causes, how many
 * meetings their breaching members are in, and what explains each alert).
 */
export function compareCase(c: EngineCase): { mismatch?: Mismatch; exercised: Exercised } {
  let rules = rulesFrom(c.rules);
  let engine = new RuleEngine(rules, { gapToleranceMs: c.gapMs });
  const reference = new ReferenceEngine(c.rules, rules, c.gapMs);
  const exercised = noneExercised();
  const versions = new Versions();
  for (let i = 0; i < c.events.length; i++) {
    const e = c.events[i]!;
    let got: RefAlert[];
    let want: RefAlert[];
    if (e.type === 'reload') {
      rules = rulesFrom(e.rules);
      got = engine.setRules(rules, e.at).map(engineChange);
      want = reference.reload(e.rules, rules);
      // Resolved, and their rule still there: regrouped.
      exercised.regrouped += want.filter((a) => e.rules.some((r) => a.id.startsWith(`${r.name}|`))).length;
    } else if (e.type === 'restart') {
      const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-reference-')));
      store.save(engine.state, new Map());
      const saved = store.load();
      engine = new RuleEngine(rules, { gapToleranceMs: c.gapMs }, restoredState(saved.series, saved.members));
      got = [];
      want = reference.restart();
    } else {
      // Two events in three with numbers and join versions: joins are found by their version
      // from one such event to the next, and read in full after one without.
      if (e.type === 'samples' && i % 3) {
        withNumbers(e.samples);
        versions.give(e.samples);
      }
      got = engine.handle(e).map(engineChange);
      want = reference.handle(e);
    }
    let [onlyEngine, onlyReference] = difference(got.map(line), want.map(line));
    if (onlyEngine.length || onlyReference.length)
      return { mismatch: { event: i, what: 'changes', onlyEngine, onlyReference }, exercised };
    const active = engine.active().map((a): RefAlert => ({
      id: a.id,
      state: a.state,
      ...(a.explainedBy ? { explainedBy: a.explainedBy } : {}),
      ...(a.inhibitedBy ? { inhibitedBy: a.inhibitedBy } : {}),
      ...(a.explanation ? { explanation: a.explanation } : {}),
      ...(a.scope === 'shared_cause' ? { meetings: engine.state.series.get(a.id)?.meetings } : {}),
      ...(a.worst !== undefined ? { worst: a.worst, worstAt: a.worstAt! } : {}),
    }));
    const refActive = reference.active();
    [onlyEngine, onlyReference] = difference(active.map(line), refActive.map(line));
    if (onlyEngine.length || onlyReference.length)
      return { mismatch: { event: i, what: 'active alerts', onlyEngine, onlyReference }, exercised };
    exercised.events++;
    exercised.changes += got.length;
    exercised.explained += [...want, ...refActive].filter((a) => a.explainedBy).length;
    exercised.relinked += want.filter((a) => a.previous === 'firing' && a.state === 'firing').length;
    const group = want.filter((a) => a.reason && !a.id.includes('/'));
    exercised.groupLeft += group.filter((a) => a.reason === 'left').length;
    exercised.groupMoved += group.filter((a) => a.reason === 'moved').length;
    if (e.type === 'ended')
      exercised.keyEnded += refActive.filter((a) => a.id.endsWith(`|${instanceKey(e.instance)}`)).length;
  }
  exercised.onThreshold = reference.onThreshold;
  return { exercised };
}

/**
 * A smaller case that still fails: the events after the first mismatch dropped, then each rule,
 * each event and each sample that the mismatch does not need.
 */
export function shrinkCase(c: EngineCase, mismatch: Mismatch): EngineCase {
  const fails = (x: EngineCase): boolean => compareCase(x).mismatch !== undefined;
  let small: EngineCase = { ...c, events: c.events.slice(0, mismatch.event + 1) };
  for (let i = small.rules.length - 1; i >= 0 && small.rules.length > 1; i--) {
    const name = small.rules[i]!.name;
    const x = {
      ...small,
      rules: small.rules.filter((_, j) => j !== i),
      events: small.events.map((e) =>
        e.type === 'reload' ? { ...e, rules: e.rules.filter((r) => r.name !== name) } : e,
      ),
    };
    if (fails(x)) small = x;
  }
  for (let i = small.events.length - 1; i >= 0; i--) {
    const x = { ...small, events: small.events.filter((_, j) => j !== i) };
    if (fails(x)) small = x;
  }
  for (let i = small.events.length - 1; i >= 0; i--) {
    const e = small.events[i]!;
    if (e.type !== 'samples') continue;
    for (let k = e.samples.length - 1; k >= 0; k--) {
      const now = small.events[i] as Extract<CaseEvent, { type: 'samples' }>;
      const samples = now.samples.filter((_, j) => j !== k);
      const events = [...small.events];
      if (samples.length) events[i] = { type: 'samples', samples };
      else events.splice(i, 1);
      const x = { ...small, events };
      if (fails(x)) small = x;
      if (!samples.length) break;
    }
  }
  return small;
}

const minute = (t: number): string => `m${(t - T) / MIN}`;

function sampleText(s: QosSample): string {
  const streams = Object.entries(s.streams).map(
    ([name, m]) =>
      `${name}(${Object.entries(m as Record<string, number>)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')})`,
  );
  const cpu = s.cpu?.zoomAvg === undefined ? '' : ` cpu=${s.cpu.zoomAvg}`;
  return `${minute(s.time)} ${s.instance.id}/${s.participant.key} ${s.context.dataCenter} ${s.context.networkType} ${streams.join(' ')}${cpu}`;
}

/** A case and its mismatch as text: the rules, each event, and what only each side said. */
export function describeMismatch(c: EngineCase, m: Mismatch): string {
  const events = c.events.map((e, i) => {
    const head = `  #${i} ${e.type}`;
    if (e.type === 'samples') return `${head}\n${e.samples.map((s) => `      ${sampleText(s)}`).join('\n')}`;
    if (e.type === 'left') return `${head} ${e.instance.id}/${e.participant} at ${minute(e.at)}`;
    if (e.type === 'ended') return `${head} ${e.instance.id} at ${minute(e.at)}`;
    if (e.type === 'polled') return `${head} ${e.instance.id} [${e.present.join(' ')}] at ${minute(e.at)}`;
    if (e.type === 'reload')
      return `${head} at ${minute(e.at)}:\n${e.rules.map((r) => `      ${JSON.stringify(r)}`).join('\n')}`;
    return head;
  });
  return [
    `gap_tolerance ${c.gapMs / MIN}m; rules:`,
    ...c.rules.map((r) => `  ${JSON.stringify(r)}`),
    'events:',
    ...events,
    `after event #${m.event}, ${m.what}:`,
    ...m.onlyEngine.map((x) => `  engine only:    ${x}`),
    ...m.onlyReference.map((x) => `  reference only: ${x}`),
  ].join('\n');
}
