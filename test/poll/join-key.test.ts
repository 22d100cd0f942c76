import { beforeAll, describe, expect, it } from 'vitest';
import { runThroughProxy, type ProxiedRun } from '../helpers/proxied-run.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester hT41 (LOW): a Video SDK session's repeated QoS entry was logged as "repeating a
 * join (user_id)", but sessions are keyed by `id`; and a `user_id` of blanks ("  ") or holding a
 * NUL was taken as a join key like any other. A proxy in front of the simulator adds to every
 * session QoS answer a copy of its first user (same `id`), and to every meeting QoS answer two
 * copies of its first entry, one with `user_id` "  " and one with "p-1\u0000x".
 */
const MIN = 60_000;
let h: SimHarness;
let run: ProxiedRun;
const added = { repeated: 0, bad: 0 };

function rewrite(text: string, r: { path: string }): string {
  const page = JSON.parse(text) as Record<string, unknown>;
  if (/\/users\/qos\?/.test(r.path)) {
    const users = page.users as Record<string, unknown>[];
    if (!users.length) return text;
    added.repeated++;
    return JSON.stringify({ ...page, users: [...users, { ...users[0] }] });
  }
  if (/\/participants\/qos\?/.test(r.path)) {
    const list = page.participants as Record<string, unknown>[];
    if (!list.length) return text;
    added.bad += 2;
    const odd = ['  ', 'p-1\u0000x'].map((user_id) => ({ ...list[0], user_id }));
    return JSON.stringify({ ...page, participants: [...list, ...odd] });
  }
  return text;
}

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'join-key',
      meetings: [meetingWith(2, { topic: 'Real' })],
      sessions: [
        {
          id: 'sess-1',
          topic: 'Support',
          start: '0m',
          end: '60m',
          crowd: { count: 2, prefix: 'u', join: '0m', muted_share: 0 },
        },
      ],
    },
    10 * MIN,
  );
  run = await runThroughProxy(h, rewrite, 3 * MIN, (c) => {
    c.sources = { meetings: true, webinars: false, sessions: true };
  });
  return async () => {
    await run.proxy.close();
    await h.close();
  };
}, 60_000);

describe('join keys Zoom sends that cannot be used', () => {
  it('a blank user_id or one holding a NUL is no join: skipped, nothing of it reaches the samples', () => {
    expect(added.bad).toBeGreaterThan(1);
    const samples = run.events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
    const keys = new Set(samples.map((s) => s.participant.key));
    expect(keys.size).toBe(4); // two in the meeting, two in the session
    for (const k of keys) expect([k.trim() === k && k !== '', k.includes('\u0000')]).toEqual([true, false]);
  });

  it('is counted with its reason, logged once, and a session repeat names the id field', () => {
    expect(added.repeated).toBeGreaterThan(1);
    expect(run.metrics).toMatch(
      new RegExp(`^qoswatch_samples_invalid_total\\{reason="bad_join_key"\\} ${added.bad}$`, 'm'),
    );
    expect(run.metrics).toMatch(
      new RegExp(`^qoswatch_samples_invalid_total\\{reason="repeated_join"\\} ${added.repeated}$`, 'm'),
    );
    const said = run.lines.filter((l) => l.msg.startsWith('skipped QoS entries'));
    expect(said).toHaveLength(1);
    const line = said[0] as unknown as { reasons: Record<string, number>; msg: string };
    expect(Object.keys(line.reasons).sort()).toEqual(['bad_join_key', 'repeated_join']);
    expect(line.msg).toContain(
      'whose join key (user_id; Video SDK sessions: id) is blank or holds a control character',
    );
    expect(line.msg).toContain(
      'repeating a join key (user_id; Video SDK sessions: id) already on the same page (the first is kept)',
    );
  });

  it('is split in /metrics by a reason of a fixed set, each series from 0, no value from Zoom in it', () => {
    const series = [...run.metrics.matchAll(/^qoswatch_samples_invalid_total(\S*) (\S+)$/gm)].map(
      (m) => [m[1], Number(m[2])] as const,
    );
    expect(Object.fromEntries(series)).toEqual({
      '{reason="no_participant_id"}': 0,
      '{reason="bad_join_key"}': added.bad,
      '{reason="no_date_time"}': 0,
      '{reason="not_object"}': 0,
      '{reason="samples_not_list"}': 0,
      '{reason="past_page_size"}': 0,
      '{reason="repeated_join"}': added.repeated,
      '{reason="no_details"}': 0,
      '{reason="not_qos_record"}': 0,
    });
  });
});
