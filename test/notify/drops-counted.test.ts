import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { dispatcherTo, HangingHook, hangingHookEach } from '../helpers/hanging-hook.js';
import { captureLog } from '../helpers/log.js';
import { ManualTimers, pass } from '../helpers/manual-timers.js';

/**
 * Notifications given up in one go are said in one line with how many (outside tester: N
 * dropped at once logged "hookA: notification dropped" with no count, while
 * qoswatch_notifications_failed_total said N). A real webhook receiver (HangingHook).
 */
let hook: HangingHook;
hangingHookEach('none', (h) => (hook = h));

const MIN = 60_000;
const drops = (lines: { level: number; msg: string }[]): string[] =>
  lines.filter((l) => l.level === 40 && /dropped/.test(l.msg)).map((l) => l.msg);

/** A dispatcher to `hook`, which refuses every notification with HTTP 400. */
function refusing(): {
  clock: VirtualClock;
  timers: ManualTimers;
  lines: ReturnType<typeof captureLog>['lines'];
  d: ReturnType<typeof dispatcherTo>;
} {
  hook.failOn = '*';
  hook.failStatus = 400;
  const timers = new ManualTimers();
  const { log, lines } = captureLog();
  const clock = new VirtualClock(NOW);
  return { clock, timers, lines, d: dispatcherTo(hook, clock, timers, { log }) };
}

/** p0 dropped and said, then p1 dropped 5 minutes later: held, within 15 minutes of the first line. */
async function heldSecondDrop(): Promise<ReturnType<typeof refusing>> {
  const r = refusing();
  r.d.ingest(changes(alert({ participant: 'p0' })));
  await pass(r.d, r.timers, () => hook.held);
  r.clock.advance(5 * MIN);
  r.d.ingest(changes(alert({ participant: 'p1' })));
  await pass(r.d, r.timers, () => hook.held);
  expect(drops(r.lines)).toHaveLength(1);
  return r;
}

describe('notifications dropped in one go', () => {
  // Old code: ['hook: notification dropped: hook: ... (HTTP 400)'], the count nowhere in the log.
  it('5 refused (HTTP 400) in one pass: one line saying 5', async () => {
    const { timers, lines, d } = refusing();
    for (const p of ['p1', 'p2', 'p3', 'p4', 'p5']) d.ingest(changes(alert({ participant: p })));
    expect(await pass(d, timers, () => hook.held)).toBe(0);
    expect(d.stats.failed.get('hook')).toEqual(new Map([['NOTIFY_REJECTED', 5]]));
    expect(drops(lines)).toEqual([expect.stringMatching(/^hook: 5 notifications dropped: hook: .*HTTP 400/)]);
    expect(lines.find((l) => /dropped/.test(l.msg))).toMatchObject({ dropped: 5, code: 'NOTIFY_REJECTED' });
    await d.close();
  });

  // Old code: ['hook: notification dropped: hook: ... timed out ...'] while 5 were counted expired.
  it('5 given up after give_up_after while the receiver is down: one line saying 5', async () => {
    hook.hangOn = '*';
    const clock = new VirtualClock(NOW);
    const timers = new ManualTimers();
    const { log, lines } = captureLog();
    const d = dispatcherTo(hook, clock, timers, {
      log,
      retry: { baseMs: 1_000, capMs: 60_000, giveUpAfterMs: 10 * MIN },
    });
    for (const p of ['p1', 'p2', 'p3', 'p4', 'p5']) d.ingest(changes(alert({ participant: p })));
    expect(await pass(d, timers, () => hook.held)).toBeGreaterThan(0); // timed out: the receiver waits
    expect(drops(lines)).toEqual([]);
    clock.advance(11 * MIN);
    await pass(d, timers, () => hook.held);
    expect(d.outboxDepth).toBe(0);
    expect(d.stats.failed.get('hook')?.get('expired')).toBe(5);
    expect(drops(lines)).toEqual([expect.stringMatching(/^hook: 5 notifications dropped: /)]);
    await d.close();
  });

  it('7 refused in one pass: the line names the first 5 alerts and counts the rest (review, stop 38)', async () => {
    const { timers, lines, d } = refusing();
    const ps = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
    for (const p of ps) d.ingest(changes(alert({ participant: p })));
    await pass(d, timers, () => hook.held);
    const told = ps.slice(0, 5).map((p) => `[firing] ${p} has 450 ms audio latency in "Weekly sync"`);
    expect(drops(lines)).toEqual([
      `hook: 7 notifications dropped: hook: rejected (HTTP 400). What they told: ${told.join(' | ')} | and 2 more`,
    ]);
    expect(lines.find((l) => /dropped/.test(l.msg))).toMatchObject({ dropped: 7, alerts: told });
    await d.close();
  });

  it("held drops past their time, of a receiver whose lane is sending, are not due (the loop would wake again and again): said at the lane's end", async () => {
    const { clock, timers, lines, d } = await heldSecondDrop();
    clock.advance(11 * MIN);
    hook.hangOn = 'p2';
    d.ingest(changes(alert({ participant: 'p2' })));
    const ticking = d.tick();
    await vi.waitFor(() => expect(hook.held).toBe(1), { timeout: 10_000, interval: 5 });
    // p1's line was due at 15 min; the lane sending p2 says it when it ends.
    expect(d.nextDueAt() ?? Infinity).toBeGreaterThan(clock.now());
    expect(drops(lines)).toHaveLength(1);
    expect(timers.fireAll()).toBe(1); // p2 times out: retried later, not dropped
    await ticking;
    expect(drops(lines)).toEqual([
      expect.stringMatching(/^hook: notification dropped: .*p0 has/),
      expect.stringMatching(
        new RegExp(`^hook: notification dropped since ${new Date(NOW + 5 * MIN).toISOString()}: .*p1 has`),
      ),
    ]);
    await d.close();
  });

  it('drops held by the 15-minute quiet are said at shutdown (review, stop 38: they were said nowhere)', async () => {
    const { lines, d } = await heldSecondDrop();
    await d.close();
    // Old code: p1's drop was never said.
    expect(drops(lines)).toEqual([
      expect.stringMatching(/^hook: notification dropped: .*p0 has/),
      expect.stringMatching(/^hook: notification dropped since .*p1 has/),
    ]);
  });

  it('one dropped is said as before, without a count', async () => {
    const { timers, lines, d } = refusing();
    d.ingest(changes(alert({ participant: 'p1' })));
    await pass(d, timers, () => hook.held);
    expect(drops(lines)).toEqual([expect.stringMatching(/^hook: notification dropped: hook: .*HTTP 400/)]);
    await d.close();
  });
});
