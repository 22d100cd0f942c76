import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../src/app/daemon.js';
import { daemonFor, runUntil } from './helpers/daemon.js';
import { meetingWith, startSim, type SimHarness } from './helpers/sim.js';

let h: SimHarness;
beforeAll(async () => {
  h = await startSim({ meetings: [meetingWith(2)] });
});
afterAll(async () => h.close());

describe('bad data from Zoom', () => {
  it('is logged once, not every cycle', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { daemon: template } = daemonFor(h);
    const daemon = new Daemon(template.parts.config, { clock: h.clock, log: pino({ level: 'warn' }, sink) });
    daemon.parts.normalizeStats.unknownStream('hologram_input');
    daemon.parts.normalizeStats.invalid('no_date_time', 3);
    await runUntil(daemon, h, h.clock.now() + 5 * 60_000);
    const about = (text: string): number => lines.filter((l) => l.includes(text)).length;
    expect(about('hologram_input')).toBe(1);
    expect(about('skipped QoS entries')).toBe(1);
    expect(daemon.parts.scheduler.cycles).toBeGreaterThanOrEqual(5);
  });
});
