import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { printed, startCli } from '../helpers/cli.js';
import { RUN_ENV, seeded, Storm, wallSleep, type Delivery } from '../helpers/storm.js';

/**
 * A data-center incident (six NY participants at 15.5% audio loss across two meetings) with a
 * real `qoswatch run` process, the default rules and a webhook receiver that pages on every
 * alert (group_by ['...'], group_wait 0s): once the incident has paged, the process is
 * stopped again and again at random instants (seeded; SIGTERM or SIGKILL) and started on the
 * same state directory while the loss goes on. Each restart must neither resolve the incident
 * (nothing recovered) nor page anything it explains, nor page anything again: one page for
 * the incident, and one resolve when the loss ends, decided from the samples after it. Every
 * delivery counts: the same notification delivered twice is a repeat (but for one re-send after
 * each SIGKILL, `Incident.sent`). Both Zoom response shapes.
 *
 * What was sent is judged after a clean stop (SIGTERM, exit 0), which delivers what the last
 * cycle changed and every group's waiting changes before it exits: an event, where a wall-clock
 * wait for what might still come would be a guess. The daemon polls every 10 s of real time (the
 * shortest poll.min_interval), so each wait for a cycle after its first costs that: the tests
 * wait for as few as what they prove needs, and run side by side (each its own simulator,
 * receiver, state dir and process; they mostly wait).
 */

const RESTARTS = 6;
const LOSS_FROM = 2;
const LOSS_TO = 40;
const INCIDENT = 'datacenter-loss-incident|NY';

function scenario(shape: 'newer' | 'older'): ConstructorParameters<typeof Storm>[0] {
  const people = (prefix: string, base: number): { user_id: string; [k: string]: string }[] => [
    ...[0, 1, 2].map((i) => ({
      key: `${prefix}ny${i}`,
      user_id: String(base + i),
      name: `NY ${prefix}${i}`,
      data_center: 'NY',
    })),
    ...[3, 4].map((i) => ({
      key: `${prefix}sc${i}`,
      user_id: String(base + i),
      name: `SC ${prefix}${i}`,
      data_center: 'SC',
    })),
  ];
  return {
    shape,
    qos_window: '30m',
    meetings: [
      {
        id: 86300000001,
        uuid: 'alpha==',
        topic: 'Alpha',
        start: '0m',
        end: '3h',
        participants: people('a', 1000),
      },
      {
        id: 86300000002,
        uuid: 'beta==',
        topic: 'Beta',
        start: '0m',
        end: '3h',
        participants: people('b', 2000),
      },
    ],
    episodes: [
      {
        where: { data_center: 'NY' },
        from: `${LOSS_FROM}m`,
        to: `${LOSS_TO}m`,
        audio: { avg_loss: '15.5%' },
      },
    ],
  };
}

type Running = ReturnType<typeof startCli>;

/** Resolves once `p` has logged its `n`th poll cycle (on its output as it comes, not by polling). */
async function cycleNo(p: Running, n: number): Promise<void> {
  await printed(p, new RegExp(`^(?:[^]*?"msg":"cycle:){${n}}`), 30_000);
}

/** Stops `p` cleanly: what it decided is delivered before it exits (exit 0). */
async function stopCleanly(expect: ExpectStatic, p: Running): Promise<void> {
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
}

type Sent = () => { id: string; status: string }[];

/**
 * How long after a delivery's arrival a SIGKILL may come and still leave it not written down (the
 * daemon writes a delivery down after the receiver's answer; the receiver may also read what a
 * killed daemon sent a little after the kill): the next process sends such a notification again
 * under its id, as promised (delivery is at least once, docs/notifications.md).
 */
const DUPLICATE_WINDOW_MS = 2000;

interface Incident {
  storm: Storm;
  /**
   * Every notification delivered, in order, repeats counted: a notification delivered again
   * under its id is in it twice, but for the one repeat each SIGKILL may cause. A repeat is
   * excused when the process that made the previous delivery was SIGKILLed (within
   * DUPLICATE_WINDOW_MS of it), the repeat is sent by the first process started after that kill,
   * and that kill has excused no other repeat. Any other repeat is one too many: by the killed
   * process itself, by a later one, a second one after the same kill, or after a SIGTERM.
   * (Were the first process after the kill stopped too before it sent anything, the one after it
   * could send the repeat rightly; that is not excused: it needs the kill to land between a send
   * and its writing down, a few ms, and the next process's kill before its first send.)
   */
  sent: Sent;
  /** Starts `qoswatch run` on the config, as the next process (its deliveries name it). */
  start: () => Running;
  /** Stops `p` with `signal` and waits for its exit (a SIGKILL's time kept for `sent`). */
  stop: (p: Running, signal: 'SIGKILL' | 'SIGTERM') => Promise<void>;
}

/**
 * Whether the repeat `d` of the delivery `before` is the one re-send the SIGKILL of the process
 * that sent `before` may cause (`Incident.sent`); `killedAt` is each SIGKILLed process's kill
 * time (processes are numbered as started), `used` the kills that already excused one.
 */
function resentAfterKill(
  before: Delivery,
  d: Delivery,
  killedAt: ReadonlyMap<number, number>,
  used: Set<number>,
): boolean {
  const killed = Number(before.run);
  const k = killedAt.get(killed);
  if (k === undefined || used.has(killed) || k - before.at > DUPLICATE_WINDOW_MS) return false;
  if (Number(d.run) !== killed + 1) return false;
  used.add(killed);
  return true;
}

/**
 * The storm, already a minute into the loss (LOSS_FROM + 1), a config paging every alert on its
 * own with the default rules, and what was sent.
 */
async function incidentStorm(shape: 'newer' | 'older'): Promise<Incident> {
  const storm = new Storm(scenario(shape));
  await storm.start();
  storm.advance(LOSS_FROM + 1);
  const dir = mkdtempSync(join(tmpdir(), 'qw-incident-restart-'));
  const config = storm.writeConfig(
    dir,
    '',
    'group_wait: 0s, group_interval: 1s',
    join(dir, 'state'),
    fromRoot('rules', 'default.yaml'),
    true,
  );
  const runs = new Map<Running, number>();
  const killedAt = new Map<number, number>();
  const start = (): Running => {
    const p = startCli(['run', '--config', config], { [RUN_ENV]: String(runs.size) });
    runs.set(p, runs.size);
    return p;
  };
  const sent = (): { id: string; status: string }[] => {
    const previous = new Map<string, Delivery>();
    const used = new Set<number>();
    return storm.deliveries
      .filter((d) => {
        const before = previous.get(d.id);
        previous.set(d.id, d);
        return before === undefined || !resentAfterKill(before, d, killedAt, used);
      })
      .flatMap((d) => d.alerts.map((a) => ({ id: a.id, status: a.status })));
  };
  const stop = async (p: Running, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
    if (signal === 'SIGKILL') killedAt.set(runs.get(p)!, Date.now());
    p.child.kill(signal);
    await p.exited;
  };
  return { storm, sent, start, stop };
}

/**
 * The first run: its first cycle sees a minute of the loss (the incident pending, its `for` is
 * 2m), its second two more minutes: the incident pages, and pages alone.
 */
async function untilPaged(expect: ExpectStatic, p: Running, storm: Storm, sent: Sent): Promise<void> {
  await cycleNo(p, 1);
  expect(sent()).toEqual([]);
  storm.advance(2);
  await cycleNo(p, 2);
  await storm.until('the incident page', () => sent().some((a) => a.id === INCIDENT));
  expect(sent()).toEqual([{ id: INCIDENT, status: 'firing' }]);
}

/**
 * The loss ends while qoswatch is stopped (the last run was stopped cleanly): the next run
 * resolves the incident once, and nothing else, as a recovery it decided itself: from a sample
 * after the loss (the resolve's `ends_at`, sample time, from LOSS_TO on) that this run read (up to
 * the minute it starts at). A resolve decided before, during the loss, and left in the outbox at a
 * stop, would be delivered by this run all the same.
 */
async function resolvesOnce(
  expect: ExpectStatic,
  { storm, sent, start }: Incident,
  started: (p: Running) => void,
): Promise<void> {
  storm.advance(LOSS_TO + 3 - storm.minute());
  const from = storm.minute();
  const p = start();
  started(p);
  await storm.until('the incident resolve', () => sent().length > 1);
  await stopCleanly(expect, p);
  expect(sent()).toEqual([
    { id: INCIDENT, status: 'firing' },
    { id: INCIDENT, status: 'resolved' },
  ]);
  const resolve = storm.deliveries.flatMap((d) => d.alerts).find((a) => a.status === 'resolved')!;
  const decidedAt = ((resolve.endsAt ?? NaN) - storm.sim.scenario.start) / 60_000;
  expect(resolve.reason, 'the resolve: why').toBe('recovered');
  expect(decidedAt, 'the resolve: its ends_at, in scenario minutes').toBeGreaterThanOrEqual(LOSS_TO);
  expect(decidedAt, 'the resolve: its ends_at, in scenario minutes').toBeLessThanOrEqual(from);
}

async function restartLoop(expect: ExpectStatic, shape: 'newer' | 'older', seed: number): Promise<void> {
  const incident = await incidentStorm(shape);
  const { storm, sent, start, stop } = incident;
  const random = seeded(seed);
  let p = start();
  try {
    await untilPaged(expect, p, storm, sent);

    const stops: string[] = [];
    for (let n = 0; n < RESTARTS; n++) {
      // A random instant: while it polls, evaluates and saves, or while it starts up again.
      await wallSleep(random() * 1500);
      const signal = random() < 0.5 ? 'SIGKILL' : 'SIGTERM';
      stops.push(`${signal}@${storm.minute()}m`);
      await stop(p, signal);
      storm.advance(1);
      p = start();
      if (random() < 0.3) continue; // stopped again before its first cycle
      await cycleNo(p, 1);
      await wallSleep(random() * 1500);
    }
    // Still inside the loss: the last run sees two more minutes of it in a cycle after its first.
    await cycleNo(p, 1);
    storm.advance(2);
    await cycleNo(p, 2);
    await stopCleanly(expect, p);
    const during = sent();
    // Process n is stopped by stops[n]; each delivery: the process that sent it, and when.
    const by = storm.deliveries.map((d) => `${d.id}@${d.minute}m by process ${String(d.run)}`).join(', ');
    const what = `restarts ${stops.join(', ')}; deliveries ${by} (seed ${seed})`;
    console.log(`incident restarts (${shape}): ${what}; sent ${JSON.stringify(during)}`);
    expect(during, what).toEqual([{ id: INCIDENT, status: 'firing' }]);

    await resolvesOnce(expect, incident, (next) => (p = next));
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await storm.close();
  }
}

/**
 * Restarts after outages longer than gap_tolerance (5m): the member readings saved before the
 * stop are too old to count. If only one meeting reports first (Beta's calls fail for the
 * first cycles after the start), Alpha's three NY participants alone are fewer than the
 * incident's min_participants: that is not a recovery, and the incident must not resolve (nor
 * page again, nor page what it explains), neither then nor when Beta's backlog comes a cycle
 * later, minutes behind Alpha's readings. What each run sent is judged once it has stopped:
 * in full after a SIGTERM (which delivers what was decided), and all of it at the end.
 */
async function longOutages(
  expect: ExpectStatic,
  outages: readonly (readonly [number, 'SIGKILL' | 'SIGTERM'])[],
): Promise<void> {
  const incident = await incidentStorm('newer');
  const { storm, sent, start, stop } = incident;
  let p = start();
  let before = 'before the first outage';
  try {
    await untilPaged(expect, p, storm, sent);

    for (const [minutes, signal] of outages) {
      await stop(p, signal);
      expect(sent(), `${before}, stopped by ${signal}`).toEqual([{ id: INCIDENT, status: 'firing' }]);
      storm.advance(minutes);
      // Beta's QoS and participants calls fail until the fault is cleared: Alpha reports first.
      storm.sim.faults.add({ kind: '500', path: 'meetings/beta' });
      p = start();
      await cycleNo(p, 1);
      storm.advance(1);
      await cycleNo(p, 2);
      expect(p.output()).toContain('could not poll meeting \\"Beta\\"');
      storm.sim.faults.clear();
      await cycleNo(p, 3);
      storm.advance(2);
      await cycleNo(p, 4);
      before = `after the ${minutes} min outage (${signal})`;
    }
    await stopCleanly(expect, p);
    expect(sent(), before).toEqual([{ id: INCIDENT, status: 'firing' }]);

    await resolvesOnce(expect, incident, (next) => (p = next));
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await storm.close();
  }
}

const seed = Number(process.env.QOSWATCH_RESTART_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe.concurrent('restarts during a data-center incident', () => {
  for (const shape of ['newer', 'older'] as const)
    it(`neither resolve it nor page what it explains, ${shape} response shape (seed ${seed})`, async ({
      expect,
    }) => {
      await restartLoop(expect, shape, seed);
      // 69-75 s at load 19-22 side by side, and the case below 92 s: far under the bound.
    }, 480_000);
});

describe.concurrent('restarts after outages longer than gap_tolerance, one meeting reporting first', () => {
  it('do not resolve the incident (8 min then 12 min outage; SIGKILL then SIGTERM)', async ({ expect }) => {
    await longOutages(expect, [
      [8, 'SIGKILL'],
      [12, 'SIGTERM'],
    ]);
  }, 480_000);
});
