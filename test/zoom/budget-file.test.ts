import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileBudgetStore } from '../../src/zoom/budget-file.js';
import { RESERVATION_TTL_MS } from '../../src/zoom/budget-record.js';
import { DailyBudget } from '../../src/zoom/daily-budget.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { VirtualClock } from '../../src/util/clock.js';
import { StateFiles } from '../../src/util/state-files.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { captureLog, type LogLine } from '../helpers/log.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

const LIVE = { type: 'live', from: '2026-11-20', to: '2026-11-20' };
let h: SimHarness | undefined;
const dir = mkdtempSync(join(tmpdir(), 'qw-budget-file-'));
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the daily budget file', () => {
  it('holds every call as it is made (no flush), and another budget on the file sees them', async () => {
    h = await startSim({ meetings: [{ id: 1, topic: 't', start: '0m', participants: [] }] });
    const state = join(dir, 'a');
    const client = s2sClient(h, { budgetStore: new FileBudgetStore(state, 'zoom') });
    await client.get(ENDPOINTS.meetings, {}, LIVE);
    await client.get(ENDPOINTS.meetings, {}, LIVE);
    const file = JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8')) as { used: number };
    expect(file.used).toBe(2);
    // Another process's count on the same file (here a second budget): each sees the other's calls.
    const other = new DailyBudget(client.budget.pool, 1, h.clock, new FileBudgetStore(state, 'zoom'));
    other.take('x');
    expect(other.usedToday()).toBe(3);
    expect(other.usedHere()).toBe(1);
    expect(client.budget.usedToday()).toBe(3);
    expect(client.budget.usedHere()).toBe(2);
    expect(client.budget.remaining()).toBe(client.budget.allowance - 3);
  });

  it('never lets two counts on one file go over the allowance, and a call given back is freed for both', () => {
    const state = join(dir, 'b');
    const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
    const a = new DailyBudget(5, 1, clock, new FileBudgetStore(state, 'zoom'));
    const b = new DailyBudget(5, 1, clock, new FileBudgetStore(state, 'zoom'));
    const taken = { a: 0, b: 0 };
    for (let i = 0; i < 10; i++) {
      for (const [k, budget] of [
        ['a', a],
        ['b', b],
      ] as const) {
        try {
          budget.take('x');
          taken[k]++;
        } catch {
          /* refused: the pool is used up */
        }
      }
    }
    expect(taken.a + taken.b).toBe(5);
    a.giveBack();
    expect(b.remaining()).toBe(1);
    b.take('x');
    expect(() => a.take('x')).toThrow(/share of the daily API pool \(5 calls\) is used up/);
    // A new UTC day starts from zero for both.
    clock.advance(86_400_000);
    expect(a.remaining()).toBe(5);
    b.take('x');
    expect(a.usedToday()).toBe(1);
  });
});

describe('the budget lock never stops the process', () => {
  const clockAt = (): VirtualClock => new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
  const logs = (): { lines: string[]; files: StateFiles } => {
    const lines: string[] = [];
    const log = {
      error: (_o: unknown, m: string) => lines.push(m),
      warn: () => {},
      info: () => {},
      debug: () => {},
    };
    return { lines, files: new StateFiles(log as never) };
  };

  it('a lock held by a live process: calls are counted here, within the pool, and merged when it goes', () => {
    const state = join(dir, 'live');
    mkdirSync(state, { recursive: true });
    const clock = clockAt();
    const warned: string[] = [];
    const log = {
      error: () => {},
      warn: (_o: unknown, m: string) => warned.push(m),
      info: () => {},
      debug: () => {},
    };
    const store = new FileBudgetStore(state, 'zoom', new StateFiles(log as never));
    const budget = new DailyBudget(5, 1, clock, store);
    budget.take('x'); // 1 in the file
    const holder = spawn('sleep', ['60']);
    try {
      writeFileSync(`${store.file}.lock`, String(holder.pid));
      let taken = 0;
      for (let i = 0; i < 10; i++) {
        try {
          budget.take('x');
          taken++;
        } catch {
          /* the pool is used up */
        }
      }
      expect(taken).toBe(4); // the call before the lock and these 4: the pool of 5
      expect(store.unlockedCalls).toBe(10);
      expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ used: 1 }); // the holder's file is left alone
      expect(warned).toHaveLength(1); // once for the episode
      expect(warned[0]).toMatch(/is held by another process: calls are counted here/);
    } finally {
      holder.kill();
    }
    rmSync(`${store.file}.lock`);
    budget.giveBack(); // the next call under the lock writes the merged count
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ used: 4 });
    expect(new DailyBudget(5, 1, clock, new FileBudgetStore(state, 'zoom')).remaining()).toBe(1);
  });

  it('a directory at the lock path: logged once with what to do, counted here, capped; recovers when removed', () => {
    const state = join(dir, 'dirlock');
    const { lines, files } = logs();
    const clock = clockAt();
    const store = new FileBudgetStore(state, 'zoom', files);
    mkdirSync(`${store.file}.lock`, { recursive: true });
    const budget = new DailyBudget(3, 1, clock, store);
    budget.take('x');
    budget.take('x');
    budget.take('x');
    expect(() => budget.take('x')).toThrow(/used up/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/lock .*budget-zoom\.json\.lock cannot be read \(EISDIR\).*rm -r/);
    rmSync(`${store.file}.lock`, { recursive: true });
    clock.advance(86_400_000);
    budget.take('x');
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ used: 1 });
  });

  it('a lock left by a dead process is broken at once and the call written', () => {
    const state = join(dir, 'dead');
    mkdirSync(state, { recursive: true });
    const store = new FileBudgetStore(state, 'zoom');
    const dead = spawnSync('true').pid;
    writeFileSync(`${store.file}.lock`, String(dead));
    new DailyBudget(5, 1, clockAt(), store).take('x');
    expect(store.unlockedCalls).toBe(0);
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ used: 1 });
    expect(existsSync(`${store.file}.lock`)).toBe(false);
  });
});

describe('the daemon beside an unusable budget lock', () => {
  it('keeps polling (its count here, within its share) instead of freezing on a directory at the lock path', async () => {
    h = await startSim({ meetings: [{ id: 1, topic: 't', start: '0m', participants: [] }] });
    let lock = '';
    const { daemon } = daemonFor(h, (c) => {
      lock = join(c.stateDir, 'budget-zoom.json.lock');
      mkdirSync(lock, { recursive: true });
    });
    // Before the fix, the first call looped forever on the unreadable lock: this never returned.
    await runUntil(daemon, h, h.clock.now() + 3 * 60_000);
    const store = (daemon as unknown as { budgetStores: FileBudgetStore[] }).budgetStores[0]!;
    expect(store.unlockedCalls).toBeGreaterThan(0);
    // Seen in /metrics, not only in the log.
    expect(await daemon.parts.metrics.text()).toContain(
      `qoswatch_zoom_budget_unlocked_calls_total{account="zoom"} ${store.unlockedCalls}\n`,
    );
    // At stop (run() returned), the calls counted here were added to the file without the lock
    // rather than lost with the process (before, the file was never written).
    const zoomCalls = h.sim.apiRequests() - (h.sim.requests.get('sessions 200') ?? 0);
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ used: zoomCalls });
  }, 60_000);
});

describe("the daemon's poll cycle and the budget file", () => {
  it('holds the cycle as one block: a few file round trips a cycle, and the file counts exactly the calls Zoom got', async () => {
    // 12 meetings of 25: 3 QoS pages each, and their participants lists: ~50 calls a cycle.
    h = await startSim({
      meetings: Array.from({ length: 12 }, (_, i) => ({
        id: 100 + i,
        topic: `m${i}`,
        start: '0m',
        crowd: { count: 25 },
      })),
    });
    const { daemon } = daemonFor(h, (c) => {
      c.sources.sessions = false; // one account: one budget file for every API request
    });
    await runUntil(daemon, h, h.clock.now() + 3 * 60_000);
    const store = (daemon as unknown as { budgetStores: FileBudgetStore[] }).budgetStores[0]!;
    const calls = h.sim.apiRequests();
    const cycles = daemon.parts.scheduler.cycles;
    expect(cycles).toBeGreaterThanOrEqual(3);
    expect(calls).toBeGreaterThan(cycles * 30);
    // What the block did not cover went one by one: discovery (a call or two a cycle) and
    // pages past the plan. Before, each of the calls was a round trip of its own.
    expect(store.lockedChanges).toBeLessThanOrEqual(cycles * 5);
    // Every block given back: the file holds the calls made, none held or lost.
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ used: calls });
    expect(store.unlockedCalls).toBe(0);
  }, 60_000);

  it('a block never takes more than is left beside another process, and its rest is freed for it', () => {
    const state = join(dir, 'block');
    const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
    const daemon = new DailyBudget(10, 1, clock, new FileBudgetStore(state, 'zoom'));
    const report = new DailyBudget(10, 1, clock, new FileBudgetStore(state, 'zoom'));
    report.take('x');
    report.take('x');
    expect(daemon.hold(20)).toBe(8); // what is left of 10
    expect(() => report.take('x')).toThrow(/used up/); // the block is counted in the file
    for (let i = 0; i < 5; i++) daemon.take('x');
    expect(daemon.usedToday()).toBe(7);
    expect(daemon.remaining()).toBe(3); // its own block's rest is its to make
    daemon.giveBack(); // a call that never left goes back into the block
    daemon.release();
    expect(JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8'))).toMatchObject({ used: 6 });
    expect(report.remaining()).toBe(4);
    for (let i = 0; i < 4; i++) report.take('x');
    expect(daemon.hold(5)).toBe(0);
    expect(() => daemon.take('x')).toThrow(/used up/);
  });
});

describe('reservations in the budget file', () => {
  const clockAt = (): VirtualClock => new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));

  it("others' reservations are used for every decision; a gone owner's and an expired one are dropped", () => {
    const state = join(dir, 'reservations');
    mkdirSync(state, { recursive: true });
    const clock = clockAt();
    const day = Math.floor(clock.now() / 86_400_000);
    const alive = spawn('sleep', ['60']);
    try {
      const dead = spawnSync('true').pid;
      const future = Date.now() + 60_000;
      writeFileSync(
        join(state, 'budget-zoom.json'),
        JSON.stringify({
          day,
          used: 1,
          reservations: [
            { id: 'live', pid: alive.pid, calls: 3, expires: future },
            { id: 'gone', pid: dead, calls: 4, expires: future },
            { id: 'old', pid: alive.pid, calls: 2, expires: Date.now() - 1 },
          ],
        }),
      );
      const daemon = new DailyBudget(10, 1, clock, new FileBudgetStore(state, 'zoom'));
      expect(daemon.remaining()).toBe(6); // 10 - 1 used - 3 reserved by the live report
      expect(daemon.reservedByOthers()).toBe(3);
      expect(daemon.hold(20)).toBe(6); // the poll cycle's block stops short of the reservation
      daemon.release();
      // A report beside it reserves within what is left after `keep`, and its calls come out of it.
      const report = new DailyBudget(10, 1, clock, new FileBudgetStore(state, 'zoom'));
      expect(report.reserve(5, 2)).toBe('refused'); // 6 left, 2 kept: 4 at most
      expect(report.reserve(4, 2)).toBe('granted');
      expect(daemon.remaining()).toBe(2);
      report.take('x');
      expect(report.reservedHere()).toBe(3);
      const file = JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8')) as {
        used: number;
        reservations: { id: string; calls: number }[];
      };
      expect(file.used).toBe(2);
      expect(file.reservations.map((r) => r.calls).sort()).toEqual([3, 3]); // the dead and the expired are gone
      // The daemon takes what is not reserved, and no more: the report's 3 stay its own.
      for (let i = 0; i < 2; i++) daemon.take('x');
      expect(() => daemon.take('x')).toThrow(/used up/);
      for (let i = 0; i < 3; i++) report.take('x');
      report.unreserve();
      expect(daemon.remaining()).toBe(0);
      expect(daemon.reservedByOthers()).toBe(3); // the live report's, still standing
    } finally {
      alive.kill();
    }
  });
});

describe('reservations in /api/v1/status', () => {
  it("the daemon's status lists the reservations of the reports beside it: pid, calls, expiry, the sizing turn", async () => {
    h = await startSim({ meetings: [{ id: 1, topic: 't', start: '0m', participants: [] }] });
    let state = '';
    const { daemon } = daemonFor(h, (c) => {
      state = c.stateDir;
    });
    const zoom = (): Record<string, unknown> =>
      daemon.status().budget.zoom as unknown as Record<string, unknown>;
    expect(zoom().reservations).toEqual([]);
    const report = new DailyBudget(60_000, 1, h.clock, new FileBudgetStore(state, 'zoom'));
    expect(report.reserve(4, 0, undefined, true)).toBe('granted');
    const before = Date.now();
    const listed = zoom().reservations as { pid: number; calls: number; expires: string; sizing?: true }[];
    expect(listed).toEqual([
      { pid: process.pid, calls: 4, expires: expect.any(String) as string, sizing: true },
    ]);
    expect(Date.parse(listed[0]!.expires)).toBeGreaterThan(before);
    expect(zoom().remaining_today).toBe(60_000 - 4);
    report.unreserve();
    expect(zoom().reservations).toEqual([]);
    await daemon.close();
  });
});

describe('a budget file written by a hostile or stale process (outside tester)', () => {
  const today = Date.parse('2026-11-20T10:00:00Z');
  const dayOf = (t: number) => Math.floor(t / 86_400_000);
  const write = (state: string, body: unknown) => {
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'budget-zoom.json'), JSON.stringify(body));
  };
  const read = (state: string) =>
    JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8')) as {
      used: number;
      reservations?: { id: string; calls: number; expires: number }[];
    };

  it('drops a reservation bigger than the pool and brings a far-future expiry back to the TTL', () => {
    const state = join(dir, 'hostile-res');
    const year = Date.now() + 365 * 86_400_000;
    write(state, {
      day: dayOf(today),
      used: 10,
      reservations: [
        { id: 'huge', pid: 1, calls: 1e9, expires: year },
        { id: 'long', pid: 1, calls: 3, expires: year },
      ],
    });
    const clock = new VirtualClock(today);
    const budget = new DailyBudget(100, 1, clock, new FileBudgetStore(state, 'zoom'));
    budget.take('x'); // refused on the old code: the 1e9 calls were trusted
    expect(budget.usedToday()).toBe(11);
    expect(budget.remaining()).toBe(100 - 11 - 3);
    const file = read(state);
    expect(file.reservations?.map((r) => r.id)).toEqual(['long']);
    // Written back at most one TTL ahead: not renewed, it goes in 5 minutes.
    expect(file.reservations?.[0]?.expires).toBeLessThanOrEqual(Date.now() + RESERVATION_TTL_MS);
  });

  it('keeps the count when one reservation is bad, and keeps a later day count', () => {
    const state = join(dir, 'bad-entry');
    write(state, {
      day: dayOf(today),
      used: 80,
      reservations: [
        { id: 'neg', pid: 1, calls: -5, expires: Date.now() + 1000 },
        { pid: 1, calls: 2, expires: Date.now() + 1000 },
      ],
    });
    const budget = new DailyBudget(100, 1, new VirtualClock(today), new FileBudgetStore(state, 'zoom'));
    budget.take('x');
    expect(budget.usedToday()).toBe(81); // 1 on the old code: the whole file was set aside
    expect(read(state).reservations).toBeUndefined();

    const later = join(dir, 'later-day');
    write(later, { day: dayOf(today) + 1, used: 50 }); // the clock stepped back a day
    const b2 = new DailyBudget(100, 1, new VirtualClock(today), new FileBudgetStore(later, 'zoom'));
    b2.take('x');
    expect(b2.usedToday()).toBe(51);
  });

  it('drops at once a reservation naming a number no process can have as its pid', () => {
    const state = join(dir, 'impossible-pid');
    write(state, {
      day: dayOf(today),
      used: 10,
      // Past 2^31 - 1: Node's kill refuses the number, which the old alive() took as a live owner (5 minutes held).
      reservations: [{ id: 'x', pid: 3_000_000_000, calls: 50, expires: Date.now() + 60_000 }],
    });
    const budget = new DailyBudget(100, 1, new VirtualClock(today), new FileBudgetStore(state, 'zoom'));
    expect(budget.reservedByOthers()).toBe(0);
    expect(budget.remaining()).toBe(90);
  });

  it('breaks a lock whose mtime is far in the future, even naming a live pid', () => {
    const state = join(dir, 'future-lock');
    mkdirSync(state, { recursive: true });
    const lock = join(state, 'budget-zoom.json.lock');
    writeFileSync(lock, '1'); // pid 1: alive in every container
    const future = new Date(Date.now() + 3600_000);
    utimesSync(lock, future, future);
    const store = new FileBudgetStore(state, 'zoom');
    // The old code saw it as held (age negative, pid alive) for ever.
    expect(store.transact(dayOf(today), (rec) => ({ ...rec, used: rec.used + 1 }))).toBe(true);
    expect(read(state).used).toBe(1);
  });
});

describe('a budget file whose count cannot be read (outside tester: the count restarted at 0)', () => {
  const noon = Date.parse('2026-11-20T12:00:00Z');
  const day = Math.floor(noon / 86_400_000);
  const setUp = (name: string, text: string, pool = 100) => {
    const state = join(dir, name);
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'budget-zoom.json'), text);
    const { log, lines } = captureLog();
    const clock = new VirtualClock(noon);
    const budget = new DailyBudget(pool, 1, clock, new FileBudgetStore(state, 'zoom', new StateFiles(log)));
    return { state, lines, budget, clock };
  };
  const corrupt = (lines: LogLine[]) => lines.filter((l) => l.msg.includes('is corrupt'));

  it('a truncated file: the count still readable in its text, and the log says the file was discarded whole', () => {
    const { lines, state, budget } = setUp(
      'trunc',
      `{"day":${day},"used":1234,"reservations":[{"id":"r1","pid":1,"cal`,
      10_000,
    );
    budget.take('x');
    expect(budget.usedToday()).toBe(1235); // 1 on the old code
    expect(JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8'))).toMatchObject({
      day,
      used: 1235,
    });
    const line = corrupt(lines);
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({
      discarded_whole_file: true,
      used_recovered: 1234,
      recovered_from: 'file-text',
    });
    expect(line[0]!.msg).toMatch(
      /not valid JSON .*discarded the whole file; .*starting from 1234 calls, the count still readable/,
    );
  });

  it.each([
    ['used null', `{"day":${day},"used":null}`],
    ['used a word', `{"day":${day},"used":"lots"}`],
    ['used negative', `{"day":${day},"used":-5}`],
    ['used 1e400', `{"day":${day},"used":1e400}`],
    ['garbage', '\u0000\u0001 not json'],
  ])('%s, nothing else known: the share paced to the time of day, said in one line', (_name, text) => {
    const { lines, budget } = setUp(`lost-${_name.replace(/\W/g, '')}`, text);
    budget.take('x');
    // Noon: half the day gone, half of the 100-call share assumed spent (0 on the old code).
    expect(budget.usedToday()).toBe(51);
    expect(budget.remaining()).toBe(49);
    const line = corrupt(lines);
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({ discarded_whole_file: true, used_recovered: 50, recovered_from: 'pace' });
    expect(line[0]).not.toHaveProperty('discarded'); // "discarded":0 on the old code
    expect(line[0]!.msg).toMatch(/discarded the whole file; .*starting from 50 calls, the share's pace/);
  });

  it.each([
    ['quoted', `{"day":${day},"used":"1234"}`],
    ['quoted, spaced', `{ "day" : ${day}, "used" : "1234" , "reservations": []}`],
  ])('used a %s number: its digits are the count, not the pace (outside tester: 50)', (_name, text) => {
    const { lines, budget } = setUp(`quoted-${_name.replace(/\W/g, '')}`, text, 10_000);
    budget.take('x');
    expect(budget.usedToday()).toBe(1235);
    expect(corrupt(lines)[0]).toMatchObject({ used_recovered: 1234, recovered_from: 'file-text' });
  });

  it('a running process never restarts below the count it last read, whoever garbles the file', () => {
    const { budget, state, lines } = setUp('memory', JSON.stringify({ day, used: 70 }));
    budget.take('x');
    expect(budget.usedToday()).toBe(71);
    writeFileSync(join(state, 'budget-zoom.json'), `{"day":${day},"used":"seventy-one"}`);
    budget.take('x');
    expect(budget.usedToday()).toBe(72); // 51 from the pace, 1 on the old code
    expect(corrupt(lines)[0]).toMatchObject({ used_recovered: 71, recovered_from: 'memory' });
  });

  it("an earlier day's count that cannot be read: today starts at 0, nothing lost", () => {
    const { budget, lines } = setUp('earlier', `{"day":${day - 1},"used":99`);
    budget.take('x');
    expect(budget.usedToday()).toBe(1);
    expect(corrupt(lines)[0]).toMatchObject({ used_recovered: 0, recovered_from: 'earlier-day' });
  });
});
