import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { seeded, Storm, wallSleep, type Delivery } from '../helpers/storm.js';

/**
 * A real `qoswatch run` process, SIGKILLed at random instants (seeded, the seed printed)
 * during an alert storm on the simulator, then left to run: every firing and every resolve
 * of every episode must reach the receiver, and a repeat may only be the same notification
 * (same id), delivered again because the kill came between the receiver's answer and
 * qoswatch writing the delivery down.
 *
 * Scenario time moves 2 minutes after each run that finished a poll cycle, so however loaded
 * the machine, no poll sees an episode begin and end (which would rightly notify nothing).
 */

const PEOPLE = 60;
const MIN_KILLS = 30;
const STEP_MINUTES = 2;
/** Each participant's bad minutes: two 6-minute episodes, staggered. */
const episodes = (i: number): [number, number][] => {
  const o = i % 4;
  return [
    [o + 2, o + 8],
    [o + 14, o + 20],
  ];
};
const LAST_END = Math.max(...Array.from({ length: PEOPLE }, (_, i) => episodes(i)[1]![1]));
const PER_ALERT = 2 * episodes(0).length;

const seed = Number(process.env.QOSWATCH_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const dir = mkdtempSync(join(tmpdir(), 'qw-kill-'));
const storm = new Storm({
  qos_window: '30m',
  meetings: [
    {
      id: 86100000001,
      uuid: 'storm==',
      topic: 'Storm',
      start: '0m',
      end: '3h',
      participants: Array.from({ length: PEOPLE }, (_, i) => ({
        key: `p${i}`,
        user_id: String(1000 + i),
        name: `P${i}`,
        device: 'Windows',
        network_type: 'Wired',
      })),
    },
  ],
  episodes: Array.from({ length: PEOPLE }, (_, i) =>
    episodes(i).map(([from, to]) => ({
      where: { participant: `p${i}` },
      from: `${from}m`,
      to: `${to}m`,
      any: { latency: '600ms' },
    })),
  ).flat(),
});
const random = seeded(seed);

beforeAll(async () => {
  await storm.start();
  // One delivery attempt in ten is refused, so the outbox always holds something to retry.
  storm.refuse = () => random() < 0.1;
});
afterAll(async () => storm.close());

async function outputIncludes(p: { output: () => string }, text: string, ms: number): Promise<void> {
  for (let t = 0; t < ms && !p.output().includes(text); t += 20) await wallSleep(20);
}

describe('a daemon SIGKILLed again and again during an alert storm', () => {
  it(`loses no notification and repeats one only under its own id (seed ${seed})`, async () => {
    console.log(`kill loop: seed ${seed} (QOSWATCH_KILL_SEED=${seed} repeats it)`);
    const config = storm.writeConfig(dir);
    const kills: number[] = [];
    let duringStart = 0;
    while (kills.length < MIN_KILLS || storm.minute() < LAST_END + 2) {
      const p = startCli(['run', '--config', config]);
      const when = random();
      if (when < 0.2) {
        duringStart++;
        await wallSleep(random() * 1000); // while it starts and restores its state
      } else {
        // while it polls and evaluates, or later, while it groups, flushes and delivers
        await outputIncludes(p, when < 0.6 ? 'qoswatch running' : '"msg":"cycle:', 30_000);
        await wallSleep(random() * 1500);
      }
      p.child.kill('SIGKILL');
      kills.push(Date.now());
      await p.exited;
      if (p.output().includes('"msg":"cycle:')) storm.advance(STEP_MINUTES);
      expect(kills.length, 'scenario time hardly moves: the daemon never finishes a cycle').toBeLessThan(100);
      if (process.env.QOSWATCH_DEBUG)
        console.log(`kill ${kills.length}: minute ${storm.minute()}, ${storm.deliveries.length} deliveries`);
    }
    const last = startCli(['run', '--config', config]);
    await outputIncludes(last, '"msg":"cycle:', 30_000);
    const distinct = (): number => new Set(storm.deliveries.map((d) => d.id)).size;
    for (let i = 0; i < 150 && distinct() < PEOPLE * PER_ALERT; i++) await wallSleep(200);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const byId = new Map<string, Delivery>();
    const redelivered: string[] = [];
    for (const d of storm.deliveries) {
      if (byId.has(d.id)) redelivered.push(d.id);
      else byId.set(d.id, d);
    }
    const perAlert = new Map<string, string[]>();
    for (const d of byId.values())
      for (const a of d.alerts) perAlert.set(a.id, [...(perAlert.get(a.id) ?? []), a.status]);
    const expected = PEOPLE * PER_ALERT;
    const counts = [...perAlert.values()].map((s) => s.length);
    const received = counts.reduce((a, b) => a + b, 0);
    const lost = expected - counts.reduce((a, n) => a + Math.min(n, PER_ALERT), 0);
    const newId = counts.reduce((a, n) => a + Math.max(0, n - PER_ALERT), 0);
    console.log(
      `kill loop: ${kills.length} SIGKILLs (${duringStart} during start-up) over scenario minutes 0-${LAST_END + 2}, ` +
        `${PEOPLE * episodes(0).length} firing episodes of ${PEOPLE} participants; notifications expected ${expected}, ` +
        `received ${received} (${storm.deliveries.length} deliveries), lost ${lost}, repeated under a new id ${newId}, ` +
        `delivered again under the same id ${redelivered.length}`,
    );
    expect(perAlert.size).toBe(PEOPLE);
    for (const [id, seq] of perAlert)
      expect(seq, id).toEqual(Array.from({ length: PER_ALERT }, (_, i) => (i % 2 ? 'resolved' : 'firing')));
    // The duplicate window: a notification delivered again was sent (the receiver may read it a
    // little after the kill) and the daemon was killed before it wrote the delivery down.
    for (const id of redelivered) {
      const times = storm.deliveries.filter((d) => d.id === id).map((d) => d.at);
      expect(
        kills.some((k) => k >= times[0]! - 2000 && k <= times.at(-1)!),
        `notification ${id} delivered again without a kill in between`,
      ).toBe(true);
    }
    // 30 and more daemon starts: 239 s at load 8-15, 326 s at load 22-24.
  }, 1_200_000);
});
