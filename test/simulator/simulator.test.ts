import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileInvalidError } from '../../src/util/file-errors.js';
import { generateSample } from '../../src/simulator/qos-generator.js';
import { DEFAULT_SCENARIO_FILE, loadScenario, scenarioFrom } from '../../src/simulator/scenario.js';
import { meetingWith, startSim, T0, type SimHarness } from '../helpers/sim.js';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token?grant_type=account_credentials&account_id=a`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('c:s').toString('base64')}` },
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('the simulator behaves as Zoom documents', () => {
  it("refuses calls over the per-second limit with Zoom's 429, headers and body", async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { heavy_per_second: 3 } });
    const t = await token(h.url);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${h!.url}/v2/metrics/meetings/mtg-uuid-1%3D%3D/participants/qos`, {
          headers: { authorization: `Bearer ${t}` },
        }),
      ),
    );
    const refused = answers.filter((r) => r.status === 429);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.headers.get('x-ratelimit-type')).toBe('QPS');
    expect(refused[0]!.headers.get('x-ratelimit-category')).toBe('Heavy');
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused[0]!.json()).toMatchObject({ code: 429 });
    const ok = answers.find((r) => r.status === 200)!;
    expect(ok.headers.get('x-ratelimit-type')).toBe('Daily-limit');
    expect(Number(ok.headers.get('x-ratelimit-remaining'))).toBeLessThan(60_000);
  });

  it('expires access tokens (401, code 124) and page tokens (400, code 300)', async () => {
    h = await startSim({ meetings: [meetingWith(3)], token_ttl: '10m', page_token_ttl: '15m' });
    const t = await token(h.url);
    const q = (extra = ''): Promise<Response> =>
      fetch(`${h!.url}/v2/metrics/meetings/85000000001/participants/qos?page_size=1${extra}`, {
        headers: { authorization: `Bearer ${t}` },
      });
    const first = (await (await q()).json()) as { next_page_token: string };
    expect(first.next_page_token).not.toBe('');
    h.clock.advance(9 * 60_000);
    expect((await q()).status).toBe(200);
    h.clock.advance(2 * 60_000);
    const expired = await q();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 124 });
    const t2 = await token(h.url);
    h.clock.advance(5 * 60_000);
    const stale = await fetch(
      `${h.url}/v2/metrics/meetings/85000000001/participants/qos?next_page_token=${first.next_page_token}`,
      {
        headers: { authorization: `Bearer ${t2}` },
      },
    );
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ code: 300 });
  });

  it('applies a fault asked for by one request (X-Sim-Fault) and only to it', async () => {
    h = await startSim({ meetings: [meetingWith(1)] });
    const t = await token(h.url);
    const get = (fault?: string): Promise<Response> =>
      fetch(`${h!.url}/v2/metrics/meetings/85000000001/participants/qos`, {
        headers: { authorization: `Bearer ${t}`, ...(fault ? { 'x-sim-fault': fault } : {}) },
      });
    expect((await get('503')).status).toBe(503);
    expect((await get()).status).toBe(200);
  });

  it('answers 400 for a page size over the cap', async () => {
    h = await startSim({ meetings: [meetingWith(1)] });
    const t = await token(h.url);
    const res = await fetch(`${h.url}/v2/metrics/meetings/85000000001/participants/qos?page_size=11`, {
      headers: { authorization: `Bearer ${t}` },
    });
    expect(res.status).toBe(400);
  });

  it('serves one sample per participant per minute of the QoS window, joins and leaves included', async () => {
    h = await startSim(
      {
        qos_window: '10m',
        meetings: [
          {
            id: 1,
            uuid: 'm1',
            participants: [
              { user_id: 'a', join: '0m' },
              { user_id: 'b', join: '6m', leave: '12m' },
              { user_id: 'muted', media: ['video'] },
            ],
          },
        ],
      },
      13 * 60_000 + 30_000,
    );
    const t = await token(h.url);
    const body = (await (
      await fetch(`${h.url}/v2/metrics/meetings/m1/participants/qos?page_size=10`, {
        headers: { authorization: `Bearer ${t}` },
      })
    ).json()) as {
      participants: {
        user_id: string;
        leave_time?: string;
        user_qos: { date_time: string; audio_input?: unknown }[];
      }[];
    };
    const by = Object.fromEntries(body.participants.map((p) => [p.user_id, p]));
    expect(by.a!.user_qos.map((s) => s.date_time.slice(11, 16))).toEqual([
      '10:04',
      '10:05',
      '10:06',
      '10:07',
      '10:08',
      '10:09',
      '10:10',
      '10:11',
      '10:12',
      '10:13',
    ]);
    expect(by.b!.user_qos.map((s) => s.date_time.slice(11, 16))).toEqual([
      '10:07',
      '10:08',
      '10:09',
      '10:10',
      '10:11',
      '10:12',
    ]);
    expect(by.b!.leave_time).toBe('2026-11-20T10:12:00Z');
    expect(by.muted!.user_qos.every((s) => s.audio_input === undefined)).toBe(true);
  });
});

describe('scenario files', () => {
  it('loads the default scenario', () => {
    const s = loadScenario(DEFAULT_SCENARIO_FILE, T0);
    expect(s.instances.map((i) => i.kind)).toEqual(['meeting', 'meeting', 'meeting', 'webinar', 'session']);
    expect(s.episodes.map((e) => e.name)).toContain('NY data-center packet loss');
  });

  it("gives distinct UUIDs, shaped as Zoom's, to meetings whose ids share a long prefix", () => {
    // base64("meeting:<id>:<seed>").slice(0, 22) gave all of these one UUID.
    const ids = Array.from({ length: 2000 }, (_, i) => 90_000_000_000 + i);
    const s = scenarioFrom(
      { name: 'big', seed: 16, meetings: ids.map((id) => ({ id })), webinars: [{ id: ids[0]! }] },
      T0,
    );
    const uuids = s.instances.map((i) => i.uuid);
    expect(new Set(uuids).size).toBe(ids.length + 1);
    for (const u of uuids) expect(u).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    // Stable for a seed, different for another.
    expect(scenarioFrom({ name: 'big', seed: 16, meetings: [{ id: ids[5]! }] }, T0).instances[0]!.uuid).toBe(
      uuids[5],
    );
    expect(
      scenarioFrom({ name: 'big', seed: 17, meetings: [{ id: ids[5]! }] }, T0).instances[0]!.uuid,
    ).not.toBe(uuids[5]);
  });

  it('same seed, same samples: a scenario without a start gives the same values whenever it runs', () => {
    // Two runs of the default scenario (the demo's), started at odd seconds days apart; and one
    // with another seed. Minute 0 is the whole minute each run starts in.
    const samplesOf = (start: number, seed?: number): unknown[] => {
      const s = loadScenario(DEFAULT_SCENARIO_FILE, start);
      if (seed !== undefined) s.seed = String(seed);
      expect(s.start % 60_000).toBe(0);
      return s.instances.flatMap((inst) =>
        inst.participants
          .slice(0, 5)
          .flatMap((p) =>
            [10, 20, 30].map(
              (m) => generateSample(s, inst, p, s.start + inst.start + p.join + m * 60_000).truth,
            ),
          ),
      );
    };
    const first = samplesOf(T0 + 17_250);
    expect(samplesOf(T0 + 3 * 86_400_000 + 42_999)).toEqual(first);
    expect(samplesOf(T0 + 17_250, 99)).not.toEqual(first);
  });

  it('rejects a broken scenario with file:line:col', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: x\nmeetings:\n  - id: 1\n    topik: oops\n    start: soon\n');
    const err = (() => {
      try {
        loadScenario(file, T0);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FileInvalidError);
    const msg = (err as Error).message;
    expect(msg).toContain(
      `${file}:4:5: meetings[0].topik: unknown setting "topik" (did you mean "topic"?); expected one of: id, uuid, topic, host, email, start, end, participants, crowd`,
    );
    expect(msg).toContain(
      `${file}:5:12: meetings[0].start: found "soon"; expected a duration such as 90s, 5m or 1h`,
    );
  });
});
