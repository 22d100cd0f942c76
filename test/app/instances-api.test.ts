import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * GET /api/v1/instances and /api/v1/instances/<id> on a real daemon polling the simulator:
 * the live state (instances watched, path, last sample, participants' newest values, the
 * alerts on them, pending then firing), identities only behind basic auth, and hostile ids
 * answered 400 or 404 in JSON, never a failure.
 */
const SCENARIO: RawScenario = {
  shape: 'older',
  meetings: [
    {
      id: 777,
      uuid: '/weekly//1==',
      topic: 'Weekly sync',
      start: '0m',
      end: '60m',
      participants: [
        { user_id: '16778240', name: 'Ann', email: 'ann@example.com', join: '0m', location: 'Lisbon' },
        { user_id: '16781312', name: 'Cy', join: '0m', network_type: 'Wifi', device: 'Mac' },
      ],
    },
  ],
  episodes: [{ where: { participant: '16781312' }, from: '5m', to: '30m', audio: { latency: '480ms' } }],
};

const PASSWORD = 'admin-Pa55';
const HASH = bcrypt.hashSync(PASSWORD, 4);
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

let h: SimHarness;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
  await h?.close();
});

interface Alert {
  rule: string;
  state: string;
  forMet: boolean;
  forMs: number;
  durationMs: number;
  since: string;
  participant?: string;
  value: string;
  stream?: string;
}
interface View {
  instance: {
    kind: string;
    id: string;
    uuid: string;
    path: string;
    participants: number;
    lastSampleAt: string;
    activeAlerts: number;
  };
  participants: {
    key: string;
    name: string;
    email: string;
    context: Record<string, string>;
    lastSampleAt: string;
    rows: { t: string; values: Record<string, number>; over: string[] }[];
    alerts: Alert[];
  }[];
  rules: { name: string; for: string }[];
}

async function get(url: string, auth = true): Promise<{ status: number; type: string; body: unknown }> {
  const r = await fetch(url, auth ? { headers: { authorization: AUTH } } : {});
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: JSON.parse(text) as unknown };
}

describe('GET /api/v1/instances', () => {
  it('shows the live state: pending while the for runs, then firing, with the newest values', async () => {
    h = await startSim(SCENARIO, 0);
    daemon = daemonFor(h, (c) => {
      c.metrics.basicAuthUsers = { admin: HASH };
    }).daemon;
    // Before the first cycle: nothing is watched.
    let url = await daemon.listen(0);
    expect((await get(`${url}/api/v1/instances`)).body).toEqual({ instances: [] });

    // A run stops the HTTP endpoint when it ends: listen again after each.
    await runUntil(daemon, h, T0 + 5 * 60_000 + 10_000);
    url = await daemon.listen(0);
    const list = (await get(`${url}/api/v1/instances`)).body as {
      instances: (View['instance'] & { url: string })[];
    };
    expect(list.instances).toHaveLength(1);
    const listed = list.instances[0]!;
    expect(listed).toMatchObject({
      kind: 'meeting',
      id: '777',
      uuid: '/weekly//1==',
      path: 'poll',
      participants: 2,
    });
    expect(listed.url).toBe('/api/v1/instances/%2Fweekly%2F%2F1%3D%3D');
    expect(Date.parse(listed.lastSampleAt)).toBeGreaterThanOrEqual(T0 + 5 * 60_000);

    const pending = (await get(`${url}${listed.url}`)).body as View;
    const cy = pending.participants[0]!;
    expect(cy).toMatchObject({ key: '16781312', name: 'Cy' });
    const latency = cy.alerts.find((a) => a.rule === 'audio-latency-high')!;
    expect(latency).toMatchObject({
      state: 'pending',
      forMet: false,
      forMs: 120_000,
      participant: '16781312',
    });
    expect(latency.durationMs).toBeLessThan(120_000);
    expect(cy.rows).toHaveLength(1);
    expect(cy.rows[0]!.over).toContain('audio-latency-high');
    expect(cy.rows[0]!.values.latency).toBeGreaterThan(0.4); // 480 ms and the simulator's noise
    const ann = pending.participants[1]!;
    expect(ann).toMatchObject({ key: '16778240', name: 'Ann', email: 'ann@example.com', alerts: [] });
    expect(ann.rows[0]!.over).toEqual([]);
    expect(pending.rules.find((r) => r.name === 'audio-latency-high')?.for).toBe('2m');

    await runUntil(daemon, h, T0 + 10 * 60_000);
    url = await daemon.listen(0);
    const firing = (await get(`${url}/api/v1/instances/777`)).body as View;
    expect(firing.instance.activeAlerts).toBeGreaterThanOrEqual(1);
    const fired = firing.participants[0]!.alerts.find((a) => a.rule === 'audio-latency-high')!;
    expect(fired).toMatchObject({ state: 'firing', forMet: true });
    expect(fired.stream).toMatch(/^audio_/);
    expect(fired.value).toMatch(/^[45]\d\d ms$/);
    expect(Date.parse(fired.since)).toBe(Date.parse(latency.since));
    // The same alert as /api/v1/alerts shows.
    const alerts = (await get(`${url}/api/v1/alerts`)).body as { alerts: { rule: string; state: string }[] };
    expect(alerts.alerts.filter((a) => a.state === 'firing').map((a) => a.rule)).toContain(
      'audio-latency-high',
    );
    // Basic auth as on every /api/v1 route.
    expect((await fetch(`${url}/api/v1/instances`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/instances/777`)).status).toBe(401);
  });

  it('withholds names, e-mails and locations without basic auth or the opt-in', async () => {
    h = await startSim(SCENARIO, 0);
    daemon = daemonFor(h).daemon;
    await runUntil(daemon, h, T0 + 3 * 60_000);
    const url = await daemon.listen(0);
    const text = await (await fetch(`${url}/api/v1/instances/777`)).text();
    expect(text).not.toMatch(/Ann|Cy|ann@example|Lisbon/);
    const view = JSON.parse(text) as View;
    expect(view.participants.map((p) => p.key).sort()).toEqual(['16778240', '16781312']);
    expect(view.participants.find((p) => p.key === '16778240')!.context.location).toBe('[withheld]');
  });

  it('says the other instances a meeting number names, by UUID (outside tester, stop 38: it picked one silently)', async () => {
    const second = { ...SCENARIO.meetings![0]!, uuid: 'other+call==', topic: 'Weekly sync (again)' };
    h = await startSim({ ...SCENARIO, meetings: [...SCENARIO.meetings!, second] }, 0);
    daemon = daemonFor(h).daemon;
    await runUntil(daemon, h, T0 + 2 * 60_000);
    const url = await daemon.listen(0);
    const listed = (await get(`${url}/api/v1/instances`)).body as { instances: { uuid: string }[] };
    expect(listed.instances.map((i) => i.uuid).sort()).toEqual(['/weekly//1==', 'other+call==']);
    const r = (await get(`${url}/api/v1/instances/777`)).body as View & { sameId?: unknown[] };
    const [picked, other] =
      r.instance.uuid === '/weekly//1=='
        ? ['/weekly//1==', 'other+call==']
        : ['other+call==', '/weekly//1=='];
    expect(r.instance.uuid).toBe(picked);
    // The old code: no sameId, nothing said of the other.
    expect(r.sameId).toEqual([
      { kind: 'meeting', uuid: other, url: `/api/v1/instances/${encodeURIComponent(other)}` },
    ]);
    // By UUID, each is one instance: nothing more to say.
    const byUuid = (await get(`${url}/api/v1/instances/${encodeURIComponent(other)}`)).body as View;
    expect(byUuid.instance.uuid).toBe(other);
    expect(byUuid).not.toHaveProperty('sameId');
  });

  it('answers hostile ids with 400 or 404 in JSON, and keeps serving', async () => {
    h = await startSim(SCENARIO, 0);
    daemon = daemonFor(h, (c) => {
      c.metrics.basicAuthUsers = { admin: HASH };
    }).daemon;
    await runUntil(daemon, h, T0 + 2 * 60_000);
    const url = await daemon.listen(0);
    const cases: [string, number][] = [
      ['%2Fweekly%2F%2F1%3D%3D', 200],
      ['%252Fweekly%252F%252F1%253D%253D', 200], // encoded twice, as Zoom's API wants it
      ['777', 200],
      ['778', 404],
      ['__proto__', 404],
      ['constructor', 404],
      ['..%2F..%2Fetc%2Fpasswd', 404],
      ['%ff%fe', 400],
      ['%E0%A4%A', 400],
      ['%00', 400],
      ['abc%0Adef', 400],
      ['%25', 404],
      ['%2525ZZ', 404],
      ['9'.repeat(129), 400],
      ['%41'.repeat(101), 400],
      ['A'.repeat(5000), 400],
      ['777%3Fx%3D1', 404],
    ];
    for (const [id, status] of cases) {
      const r = await get(`${url}/api/v1/instances/${id}`);
      expect(r.status, id).toBe(status);
      expect(r.type, id).toBe('application/json');
      if (status !== 200) expect(Object.keys(r.body as object), id).toEqual(['error']);
      else expect((r.body as View).instance.uuid).toBe('/weekly//1==');
    }
    expect(
      (await fetch(`${url}/api/v1/instances/777`, { method: 'POST', headers: { authorization: AUTH } }))
        .status,
    ).toBe(405);
    expect((await get(`${url}/api/v1/instances`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
