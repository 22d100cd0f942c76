import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runThroughProxy, type ProxiedRun } from '../helpers/proxied-run.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester, stop 37 (LOW): within one QoS answer, a second entry with the same `user_id`
 * (other data) was dropped without a count. `user_id` names one join (a rejoin or a second device
 * gets its own), so which of the two is right cannot be told: the first is kept, the second
 * skipped, counted in qoswatch_samples_invalid_total and logged once. Here a proxy in front of
 * the simulator adds to every QoS answer a copy of its first entry with every latency 999 ms.
 */
const MIN = 60_000;
let h: SimHarness;
let run: ProxiedRun;
let repeated = 0;

/** Every QoS answer with a copy of its first entry whose latencies are all 999 ms. */
function withRepeat(text: string, r: { path: string }): string {
  if (!/\/participants\/qos\?/.test(r.path)) return text;
  const page = JSON.parse(text) as { participants: unknown[] };
  if (!page.participants.length) return text;
  const first = JSON.stringify(page.participants[0]);
  const other = first.replace(/"latency":"[^"]*"/g, '"latency":"999 ms"');
  if (other === first) return text; // nothing to make different: not counted
  repeated++;
  return JSON.stringify({ ...page, participants: [...page.participants, JSON.parse(other) as unknown] });
}

beforeAll(async () => {
  h = await startSim({ seed: 'repeated-join', meetings: [meetingWith(2, { topic: 'Real' })] }, 10 * MIN);
  run = await runThroughProxy(h, withRepeat, 4 * MIN, (c) => {
    c.sources = { meetings: true, webinars: false, sessions: false };
  });
}, 60_000);
afterAll(async () => {
  await run.proxy.close();
  await h.close();
});

describe('a second QoS entry with the same user_id in one answer', () => {
  it('is skipped: the first entry is kept, nothing of the second reaches the samples', () => {
    expect(repeated).toBeGreaterThan(1);
    const samples = run.events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
    expect(new Set(samples.map((s) => s.participant.key)).size).toBe(2);
    expect(samples.length).toBeGreaterThan(0);
    expect(JSON.stringify(samples)).not.toContain('0.999');
  });

  it('is counted, each answer, and logged once', () => {
    expect(run.metrics).toMatch(
      new RegExp(`^qoswatch_samples_invalid_total\\{reason="repeated_join"\\} ${repeated}$`, 'm'),
    );
    expect(
      run.lines.filter((l) => /repeating a join key \(user_id; Video SDK sessions: id\)/.test(l.msg)),
    ).toHaveLength(1);
  });
});
