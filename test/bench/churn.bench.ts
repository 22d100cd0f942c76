import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { scenarioFrom, type RawScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { seeded } from '../helpers/storm.js';
import { BenchClock } from './bench-clock.js';
import { note, settledDataHeapUsed } from './ratio.js';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const HOUR = 3_600_000;
const DAY_HOURS = Number(process.env.CHURN_HOURS ?? 24);

type RawMeeting = NonNullable<RawScenario['meetings']>[number];

/**
 * A day of churn: a meeting starts every 4 minutes from 00:00 to 23:00 and lasts 20 to 100
 * minutes, its 4 to 16 participants joining and leaving at random within it (one in four stays
 * to the end); three all-day meetings whose people come and go all day (about 10 an hour
 * each); one meeting in ten has a network episode. Everything has ended by 24:00.
 */
function dayOfChurn(): RawScenario {
  const rnd = seeded(16);
  const meetings: RawMeeting[] = [];
  const episodes: NonNullable<RawScenario['episodes']> = [];
  let n = 0;
  let user = 30_000_000;
  const person = (
    joinMin: number,
    leaveMin: number | undefined,
  ): NonNullable<RawMeeting['participants']>[number] => ({
    user_id: String(user++),
    name: `Person ${user % 997}`,
    join: `${joinMin}m`,
    ...(leaveMin === undefined ? {} : { leave: `${leaveMin}m` }),
  });
  for (let start = 10; start <= 23 * 60; start += 4) {
    const length = 20 + Math.floor(rnd() * 81);
    const count = 4 + Math.floor(rnd() * 13);
    const id = 87_000_000_000 + n++;
    const participants = Array.from({ length: count }, () => {
      const joinAt = Math.floor(rnd() * length * 0.5);
      const stays = rnd() < 0.25;
      return person(joinAt, stays ? undefined : joinAt + 5 + Math.floor(rnd() * (length - joinAt)));
    });
    meetings.push({ id, topic: `Meeting ${n}`, start: `${start}m`, end: `${start + length}m`, participants });
    if (n % 10 === 3)
      episodes.push({
        where: { instance: id },
        from: `${start}m`,
        to: `${start + length}m`,
        audio: { latency: '450ms', jitter: '60ms', avg_loss: '9%' },
      });
  }
  for (let k = 0; k < 3; k++) {
    const participants = [];
    for (let minute = 0; minute < 23 * 60 + 30; minute += 6)
      participants.push(person(minute, Math.min(23 * 60 + 50, minute + 20 + Math.floor(rnd() * 100))));
    meetings.push({
      id: 88_000_000_000 + k,
      topic: `All day ${k}`,
      start: '10m',
      end: `${23 * 60 + 55}m`,
      participants,
    });
  }
  return { name: 'day of churn', seed: 16, meetings, episodes };
}

/**
 * Least squares of heap = fixed + perParticipant x live + perHour x hour over the hourly
 * samples: what a live participant costs, and whether anything grows with time alone.
 */
function fit(points: { hour: number; live: number; heap: number }[]): {
  fixed: number;
  perParticipant: number;
  perHour: number;
} {
  // The normal equations of a 3-parameter linear model, solved by Cramer's rule.
  const rows = points.map((p) => [1, p.live, p.hour]);
  const a = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((n, r) => n + r[i]! * r[j]!, 0)));
  const b = [0, 1, 2].map((i) => rows.reduce((n, r, k) => n + r[i]! * points[k]!.heap, 0));
  const det = (m: number[][]): number =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(a);
  const solve = (col: number): number => det(a.map((r, i) => r.map((v, j) => (j === col ? b[i]! : v)))) / d;
  return { fixed: solve(0), perParticipant: solve(1), perHour: solve(2) };
}

describe('a day of churn', () => {
  bench(
    'the daemon over the simulator (HTTP) for 24 simulated hours: heap after a full GC (code left out) every hour',
    async () => {
      const virtual = new VirtualClock(T0);
      const clock = new BenchClock(virtual);
      const sim = new ZoomSimulator(
        scenarioFrom({ start: new Date(T0).toISOString(), ...dayOfChurn() }, T0),
        virtual,
      );
      const url = await sim.listen(0, '127.0.0.1');
      const config = demoConfig(url, mkdtempSync(join(tmpdir(), 'qw-churn-')), 0);
      config.zoom!.dailyShare = 1;
      config.videosdk!.dailyShare = 1;
      config.sources = { meetings: true, webinars: false, sessions: false };
      config.metrics.topicLabel = false; // default settings
      const daemon = new Daemon(config, { clock, log: silentLogger() });
      const api = await daemon.listen(0);
      const scrape = async (): Promise<number> => (await (await fetch(`${api}/metrics`)).text()).length;

      const base = await settledDataHeapUsed(); // the simulator's day and the daemon's fixed state (rules, registry)
      const live = (): number => {
        let n = 0;
        for (const i of daemon.parts.live.instances.values()) n += i.participants.size;
        return n;
      };
      const rows: string[] = [];
      let hour = 0;
      let cycles = 0;
      let scrapedBytes = 0;
      const points: { hour: number; live: number; heap: number }[] = [];
      const stop = new AbortController();
      const started = performance.now();
      await daemon.run(stop.signal, () => {
        cycles++;
        const at = virtual.now();
        // The last cycle does not scrape: the daemon closes its API as run() returns, and a
        // scrape still in flight then would end in a connection reset.
        if (at >= T0 + (DAY_HOURS + 0.5) * HOUR) return stop.abort();
        clock.between = scrape().then((n) => (scrapedBytes = n));
        if (at < T0 + (hour + 1) * HOUR) return;
        hour = Math.floor((at - T0) / HOUR);
        clock.between = clock.between.then(async () => {
          const heap = (await settledDataHeapUsed()) - base;
          const people = live();
          const per = people ? heap / people : NaN;
          points.push({ hour, live: people, heap });
          rows.push(
            `${String(hour).padStart(2)} h  ${String(people).padStart(4)} live  ${String(daemon.parts.live.instances.size).padStart(3)} meetings  heap +${(heap / 1048576).toFixed(2)} MiB  ${people ? `${(per / 1024).toFixed(2)} KiB/participant` : ''}  scrape ${(scrapedBytes / 1024).toFixed(0)} KiB`,
          );
          process.stderr.write(`${rows.at(-1)}  (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
        });
      });
      const residual = (await settledDataHeapUsed()) - base;
      await sim.close();
      console.log(
        `[series] heap over a day of churn (after a full GC, compiled code left out; +: above the heap before the first cycle)\n${rows.join('\n')}`,
      );
      note(
        'a day of churn: cycles, simulated vs real time',
        `${cycles} cycles, ${DAY_HOURS}.5 h in ${((performance.now() - started) / 1000).toFixed(0)} s; ${sim.scenario.instances.length} meetings, ${sim.scenario.instances.reduce((m, i) => m + i.participants.length, 0)} joins`,
      );
      const f = fit(points);
      const kib = (n: number): string => `${(n / 1024).toFixed(2)} KiB`;
      note(
        'a day of churn: heap per live participant (least squares over the hours: heap = fixed + k x live + g x hour)',
        `k = ${kib(f.perParticipant)}, g = ${kib(f.perHour)} per hour, fixed = ${(f.fixed / 1048576).toFixed(2)} MiB; live ${Math.min(...points.map((p) => p.live))}-${Math.max(...points.map((p) => p.live))}`,
      );
      note(
        'a day of churn: heap above the start, after the day (nobody live) / the fitted fixed part',
        `${(residual / 1048576).toFixed(2)} MiB / ${(f.fixed / 1048576).toFixed(2)} MiB`,
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
