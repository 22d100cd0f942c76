import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOLD_MS, RuleReloader, STABLE_MS } from '../../src/app/rule-reload.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { systemClock } from '../../src/util/clock.js';
import { captureLog } from '../helpers/log.js';
import { sample } from '../helpers/rules.js';

/**
 * rules.watch and a writer that pauses mid-file (outside tester hT43, F2): the first rule
 * written, 1.2 s of nothing, then the whole file. After 300 ms of quiet the old watch reloaded
 * the half file: the firing alerts of the rules not yet written resolved (`rule_removed`, sent to
 * the receivers), then fired again under new ids. Real files and fs.watch; time (timers and
 * Date, the clock the reloader reads) is driven by the test, never waited for.
 */
const rule = (name: string): string =>
  `  - { name: ${name}, metric: latency, streams: [audio_input], when: above, threshold: 300ms, for: 0s }\n`;
const WHOLE = `rules:\n${rule('one')}${rule('two')}${rule('three')}`;
const HALF = `rules:\n${rule('one')}`;

/** Yields to the event loop until `cond` holds: bounded by a count of turns, not by time. */
async function until(cond: () => boolean, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

let reloader: RuleReloader | undefined;
afterEach(() => {
  reloader?.close();
  vi.useRealTimers();
});

function watched(): { file: string; engine: RuleEngine; lines: () => string[] } {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const dir = mkdtempSync(join(tmpdir(), 'qw-rule-watch-'));
  const file = join(dir, 'default.yaml');
  write(file, WHOLE);
  const engine = new RuleEngine(loadRules([dir]), { gapToleranceMs: 300_000 });
  const { log, lines } = captureLog();
  reloader = new RuleReloader([dir], engine, systemClock, log);
  reloader.watch();
  return { file, engine, lines: () => lines.map((l) => l.msg) };
}

/** Writes the file, it and its folder dated now (by the test's Date) plus `ahead` ms. */
function write(file: string, text: string, ahead = 0): void {
  writeFileSync(file, text);
  const t = (Date.now() + ahead) / 1000;
  utimesSync(file, t, t);
  utimesSync(dirname(file), t, t);
}

const names = (engine: RuleEngine): string[] => engine.ruleList.map((r) => r.name);

describe('rules.watch and a rule file written in two steps', () => {
  it('does not take the half-written file of a writer that pauses 1.2 s; reloads once the file is still for 3 s', async () => {
    const { file, engine, lines } = watched();
    write(file, HALF);
    await until(() => vi.getTimerCount() > 0); // the change is seen
    vi.advanceTimersByTime(1_200);
    expect(names(engine)).toEqual(['one', 'two', 'three']); // was ['one']: two and three "removed"
    write(file, WHOLE);
    await until(() => reloader!.changedAt === Date.now());
    vi.advanceTimersByTime(STABLE_MS - 1);
    expect(lines().filter((m) => m.startsWith('rules reloaded'))).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(lines().filter((m) => m.startsWith('rules reloaded'))).toEqual(['rules reloaded: 3 rules']);
    expect(names(engine)).toEqual(['one', 'two', 'three']);
  });

  it('a change that stays is taken after 3 s', async () => {
    const { file, engine } = watched();
    write(file, HALF);
    await until(() => vi.getTimerCount() > 0);
    vi.advanceTimersByTime(STABLE_MS);
    expect(names(engine)).toEqual(['one']);
  });

  it('waits for a file dated ahead of the clock, logged once, and takes it once the clock is past it', async () => {
    const { file, engine, lines } = watched();
    write(file, HALF, 20_000);
    await until(() => vi.getTimerCount() > 0);
    vi.advanceTimersByTime(STABLE_MS);
    expect(names(engine)).toHaveLength(3);
    vi.advanceTimersByTime(19_999); // 3 s after its date: not yet
    expect(names(engine)).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(names(engine)).toEqual(['one']);
    expect(lines().filter((m) => m.includes('dated ahead'))).toHaveLength(1);
  });
});

describe('rules.watch and a change that leaves out rules with firing alerts', () => {
  /** Ana over every rule: each fires at once (for: 0s). */
  function firing(engine: RuleEngine): string[] {
    engine.handle({ type: 'samples', samples: [sample('ana', 0, { audio_input: { latency: 0.5 } })] });
    return [...engine.brief()].filter((a) => a.state === 'firing').map((a) => a.rule);
  }

  it('is held for 30 s, logged, then taken if the files stay as they are', async () => {
    const { file, engine, lines } = watched();
    expect(firing(engine)).toEqual(['one', 'two', 'three']);
    write(file, HALF);
    await until(() => vi.getTimerCount() > 0);
    vi.advanceTimersByTime(STABLE_MS);
    expect(names(engine)).toEqual(['one', 'two', 'three']); // was ['one']: two and three resolved
    expect(lines().filter((m) => m.includes('not reloaded yet'))).toEqual([
      'rule files changed, not reloaded yet: the new set leaves out 2 rules with firing alerts (three, two); taken in 30 s if the files stay as they are, or now at SIGHUP',
    ]);
    vi.advanceTimersByTime(HOLD_MS - 1);
    expect(names(engine)).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(names(engine)).toEqual(['one']);
    expect(lines()).toContain(
      'rules reloaded: 1 rule; 2 firing alerts resolved (rules removed, or their scope or group_by changed)',
    );
  });

  it('is dropped when the rest of the file comes during the hold: nothing resolves', async () => {
    const { file, engine, lines } = watched();
    firing(engine);
    write(file, HALF);
    await until(() => vi.getTimerCount() > 0);
    vi.advanceTimersByTime(STABLE_MS + 10_000);
    write(file, WHOLE);
    await until(() => reloader!.changedAt === Date.now());
    vi.advanceTimersByTime(HOLD_MS + STABLE_MS);
    expect(names(engine)).toEqual(['one', 'two', 'three']);
    expect([...engine.brief()].filter((a) => a.state === 'firing')).toHaveLength(3);
    expect(lines().filter((m) => m.includes('resolved (rules removed'))).toEqual([]);
  });

  it('is taken at once by SIGHUP (a reload)', async () => {
    const { file, engine } = watched();
    firing(engine);
    write(file, HALF);
    await until(() => vi.getTimerCount() > 0);
    vi.advanceTimersByTime(STABLE_MS);
    expect(names(engine)).toHaveLength(3);
    expect(reloader!.reload()).toBe(true);
    expect(names(engine)).toEqual(['one']);
  });
});

describe("rules.watch and a change of a firing rule's scope or group_by (fH44)", () => {
  /** Two as a meeting-wide rule: its alerts would start again under the new grouping. */
  const REGROUPED = `rules:\n${rule('one')}${rule('two').replace('for: 0s', 'for: 0s, scope: instance, breaching: { count: 1 }')}${rule('three')}`;

  it('is held for 30 s like a removal, then taken if the files stay as they are', async () => {
    const { file, engine, lines } = watched();
    engine.handle({ type: 'samples', samples: [sample('ana', 0, { audio_input: { latency: 0.5 } })] });
    write(file, REGROUPED);
    await until(() => vi.getTimerCount() > 0);
    vi.advanceTimersByTime(STABLE_MS);
    // Was taken at once: two's firing alert resolved (rule_removed, notified).
    expect(engine.ruleList.find((r) => r.name === 'two')!.scope).toBe('participant');
    expect([...engine.brief()].filter((a) => a.state === 'firing')).toHaveLength(3);
    expect(lines().filter((m) => m.includes('not reloaded yet'))).toEqual([
      'rule files changed, not reloaded yet: the new set changes the scope or group_by of 1 rule with firing alerts (two); taken in 30 s if the files stay as they are, or now at SIGHUP',
    ]);
    vi.advanceTimersByTime(HOLD_MS - 1);
    expect(engine.ruleList.find((r) => r.name === 'two')!.scope).toBe('participant');
    vi.advanceTimersByTime(1);
    expect(engine.ruleList.find((r) => r.name === 'two')!.scope).toBe('instance');
    expect(lines()).toContain(
      'rules reloaded: 3 rules; 1 firing alert resolved (rules removed, or their scope or group_by changed)',
    );
  });

  it('names removed and regrouped rules apart; SIGHUP takes it at once', async () => {
    const { file, engine, lines } = watched();
    engine.handle({ type: 'samples', samples: [sample('ana', 0, { audio_input: { latency: 0.5 } })] });
    write(file, REGROUPED.replace(rule('three'), ''));
    await until(() => vi.getTimerCount() > 0);
    vi.advanceTimersByTime(STABLE_MS);
    expect(names(engine)).toHaveLength(3);
    expect(lines().filter((m) => m.includes('not reloaded yet'))).toEqual([
      'rule files changed, not reloaded yet: the new set leaves out 1 rule with firing alerts (three) and changes the scope or group_by of 1 rule with firing alerts (two); taken in 30 s if the files stay as they are, or now at SIGHUP',
    ]);
    expect(reloader!.reload()).toBe(true);
    expect(names(engine)).toEqual(['one', 'two']);
    expect(engine.ruleList[1]!.scope).toBe('instance');
  });
});

describe('rules.watch reads the files once per settle: the set taken is the set checked (fH44)', () => {
  it('holds anew, never takes unchecked, a set changed under the same file date before its watch event comes', async () => {
    const { file, engine, lines } = watched();
    engine.handle({ type: 'samples', samples: [sample('ana', 0, { audio_input: { latency: 0.5 } })] });
    const at = Date.now() / 1000;
    writeFileSync(file, WHOLE.replace(rule('two'), ''));
    utimesSync(file, at, at);
    utimesSync(dirname(file), at, at);
    await until(() => reloader!.changedAt === Date.now());
    for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r)); // every event of the write
    vi.advanceTimersByTime(STABLE_MS + HOLD_MS - 1);
    expect(lines().filter((m) => m.includes('not reloaded yet'))).toHaveLength(1);
    // Three left out too, the files dated as before (a filesystem's coarse dates, or a write
    // landing between a check and a second read): the hold ends before the watch tells of it.
    writeFileSync(file, HALF);
    utimesSync(file, at, at);
    utimesSync(dirname(file), at, at);
    vi.advanceTimersByTime(1);
    // Was: the files read again as the hold ended, three's firing alert resolved unchecked.
    expect(names(engine)).toEqual(['one', 'two', 'three']);
    expect([...engine.brief()].filter((a) => a.state === 'firing')).toHaveLength(3);
    expect(
      lines()
        .filter((m) => m.includes('not reloaded yet'))
        .at(-1),
    ).toBe(
      'rule files changed, not reloaded yet: the new set leaves out 2 rules with firing alerts (three, two); taken in 30 s if the files stay as they are, or now at SIGHUP',
    );
  });
});
