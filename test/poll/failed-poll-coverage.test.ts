import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { captureLog } from '../helpers/log.js';
import { meetingWith, startSim, T0, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => h.close());

/**
 * A meeting whose QoS answer fails (the outside tester's page 2 answered 500 after its retries):
 * the cycle said `1 live, 1 polled, 0 participants, ... coverage 100%`, the participants' samples
 * of the minutes before being younger than fresh_age. Now they count as uncovered until a poll
 * answers, and the line says the error.
 */
describe('a cycle whose only poll fails', () => {
  it('says its error, and coverage counts the unread meeting as uncovered until a poll answers', async () => {
    h = await startSim({
      meetings: [meetingWith(3)],
      faults: [{ kind: '500', path: '/participants/qos', from: '12m', to: '16m' }],
    });
    const config = demoConfig(h.url, mkdtempSync(join(tmpdir(), 'qw-state-')), 0);
    config.sources = { meetings: true, webinars: false, sessions: false };
    const { log, lines } = captureLog();
    const daemon = new Daemon(config, { clock: h.clock, log });
    // The daemon's loop with its cycle lines logged (runUntil's hook replaces them).
    const runUntil = async (until: number): Promise<void> => {
      const stop = new AbortController();
      await daemon.run(stop.signal, (r) => {
        daemon.logCycle(r);
        if (h.clock.now() >= until) stop.abort();
      });
    };
    const cycles = (): string[] => lines.filter((l) => l.msg.startsWith('cycle: ')).map((l) => l.msg);
    await runUntil(T0 + 11 * 60_000);
    expect(cycles().at(-1)).toMatch(/^cycle: 1 live, 1 polled, 3 participants, .* coverage 100%/);
    await runUntil(T0 + 15 * 60_000);
    expect(h.sim.requests.get('qos 500') ?? 0).toBeGreaterThan(0);
    // The old code: `cycle: 1 live, 1 polled, 0 participants, 0 new samples, 5 calls, coverage 100%`.
    expect(cycles().at(-1)).toMatch(/^cycle: 1 live, 1 polled, 1 error, 0 participants, .* coverage 0%/);
    expect(daemon.parts.scheduler.lastCycle!.coverage).toMatchObject({ live: 3, fresh: 0, ratio: 0 });
    await runUntil(T0 + 19 * 60_000);
    expect(cycles().at(-1)).toMatch(/^cycle: 1 live, 1 polled, 3 participants, .* coverage 100%/);
    await daemon.closeWithoutSaving();
  }, 60_000);
});
