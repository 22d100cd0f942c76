import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { SourceKind } from '../../src/normalize/sample.js';
import { inspectFromZoom } from '../../src/report/inspect.js';
import { inspectTable } from '../../src/report/inspect-format.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { S2SOAuth, VideoSdkJwt } from '../../src/zoom/auth.js';
import { FileBudgetStore } from '../../src/zoom/budget-file.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { DailyBudget } from '../../src/zoom/daily-budget.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { TestServer } from '../helpers/http-server.js';
import { T0 } from '../helpers/sim.js';

/**
 * `inspect` against Zoom's own example answers (ZoomNet's copies of Zoom's API reference,
 * test/fixtures/zoom-samples/zoomnet/), served byte for byte over HTTP: the details of the
 * instance, then the single-participant QoS of meetings, webinars and Video SDK sessions. The
 * path (UUID, participant id, type=live and no from/to) is Zoom's; the answer's shape is
 * Zoom's, not the simulator's.
 */
const sample = (name: string): string =>
  readFileSync(
    fromRoot('test', 'fixtures', 'zoom-samples', 'zoomnet', 'endpoints', `${name}_GET.json`),
    'utf8',
  );

const ANSWERS: Record<string, string> = {
  '/v2/metrics/meetings/575734086?type=live': sample('metrics-meetings-{meetingId}'),
  '/v2/metrics/meetings/gaqOKVN9RAaDHKYWEcASXg%3D%3D/participants/20161536/qos?type=live': sample(
    'metrics-meetings-{meetingId}-participants-{participantId}-qos',
  ),
  // Zoom's answer for another join than the one asked for (its user_id is 20161536).
  '/v2/metrics/meetings/gaqOKVN9RAaDHKYWEcASXg%3D%3D/participants/99999/qos?type=live': sample(
    'metrics-meetings-{meetingId}-participants-{participantId}-qos',
  ),
  // The same answer for a guest: Zoom gives no user_name.
  '/v2/metrics/meetings/gaqOKVN9RAaDHKYWEcASXg%3D%3D/participants/16778242/qos?type=live': sample(
    'metrics-meetings-{meetingId}-participants-{participantId}-qos',
  )
    .replace('"user_id": "20161536"', '"user_id": "16778242"')
    .replace('"user_name": "jchill"', '"user_name": ""')
    .replace('"email": "jchill@example.com"', '"email": ""'),
  '/v2/metrics/webinars/99264817135?type=live': sample('metrics-webinars-{webinarId}'),
  '/v2/metrics/webinars/NknQtFSgSUSEYt2a9gc13A%3D%3D/participants/20161536/qos?type=live': sample(
    'metrics-webinars-{webinarId}-participants-{participantId}-qos',
  ),
  '/v2/videosdk/sessions/sfk%2FaOFJSJSYhGwk1hnxgw%3D%3D?type=live': sample('videosdk-sessions-{sessionId}'),
  '/v2/videosdk/sessions/sfk%2FaOFJSJSYhGwk1hnxgw%3D%3D/users/1670000000/qos?type=live': sample(
    'videosdk-sessions-{sessionId}-users-{userId}-qos',
  ),
};

const zoom = new TestServer((r, res) => {
  if (r.path.startsWith('/oauth/token')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 }));
    return;
  }
  const body = ANSWERS[r.path];
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
  res.end(body ?? JSON.stringify({ code: 3001, message: 'Meeting does not exist.' }));
});
beforeAll(async () => {
  await zoom.listen();
});
afterAll(async () => {
  await zoom.close();
});

function client(kind: SourceKind, clock: VirtualClock): ZoomClient {
  const auth =
    kind === 'session'
      ? new VideoSdkJwt('key', 'secret', clock)
      : new S2SOAuth(
          { oauthUrl: `${zoom.url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: 's' },
          clock,
        );
  return new ZoomClient({ apiUrl: zoom.url, auth, limits: PLAN_DEFAULTS.business, dailyShare: 1, clock });
}

const rules = loadRules([fromRoot('rules', 'default.yaml')]);

describe("inspect one participant against Zoom's example answers, served as they are", () => {
  it.each([
    ['meeting', '575734086', '20161536', 'jchill', 'API Meeting', Date.parse('2022-03-01T10:16:00Z')],
    ['webinar', '99264817135', '20161536', 'jchill', 'my webinar', undefined],
    [
      'session',
      'sfk/aOFJSJSYhGwk1hnxgw==',
      '1670000000',
      'User',
      'My session',
      Date.parse('2019-08-20T19:19:01Z'),
    ],
  ] as const)('%s %s, participant %s', async (kind, id, pid, name, topic, time) => {
    const clock = new VirtualClock(T0);
    const c = client(kind, clock);
    const before = zoom.received.length;
    const { view, one } = await inspectFromZoom(c, {
      kind,
      id,
      participant: pid,
      rules,
      gapToleranceMs: 150_000,
      reserve: 0,
      clock,
    });
    // The details, then the participant's QoS: type=live, no from/to (the spec has none for it).
    const paths = zoom.received
      .slice(before)
      .map((r) => r.path)
      .filter((p) => p.startsWith('/v2/'));
    expect(paths).toHaveLength(2);
    expect(paths[1]).toMatch(new RegExp(`/${pid}/qos\\?type=live$`));
    expect(view.calls).toBe(2);
    expect(view.instance).toMatchObject({ kind, topic });
    expect(one).toMatchObject({ key: pid, name });
    expect(one!.rows.length).toBeGreaterThanOrEqual(1);
    if (time !== undefined) expect(one!.rows.map((r) => r.t)).toContain(time);
    const row = one!.rows.at(-1)!;
    // "126 ms", "6 ms", "0.3%"/"0.03%" as numbers; the example is under every shipped threshold.
    expect(row.values.latency).toBeCloseTo(0.126, 3);
    expect(row.over).toEqual([]);
    expect(one!.alerts).toEqual([]);
    expect(inspectTable(view, one)).toMatch(/126 ms/);
    // hT44 F5: a sample's values with Zoom's decimals, never a loss shown as 0.0%.
    const loss = row.values.avg_loss;
    expect(loss).toBeGreaterThan(0);
    expect(inspectTable(view, one)).toContain(` ${Number((loss! * 100).toPrecision(6))}% `);
  });

  it('a guest (no name from Zoom) is named as alerts and reports name it, not by a bare [16778242]', async () => {
    const clock = new VirtualClock(T0);
    const opts = {
      kind: 'meeting' as const,
      id: '575734086',
      participant: '16778242',
      rules,
      gapToleranceMs: 150_000,
    };
    const { view, one } = await inspectFromZoom(client('meeting', clock), { ...opts, reserve: 0, clock });
    expect(one).toMatchObject({ key: '16778242', name: 'Guest 16778242 (Phone, Wired)' });
    expect(inspectTable(view, one).split('\n')).toContain('Guest 16778242 (Phone, Wired) [16778242]');
  });

  it('an answer about another participant than the one asked for is refused, naming both', async () => {
    const clock = new VirtualClock(T0);
    await expect(
      inspectFromZoom(client('meeting', clock), {
        kind: 'meeting',
        id: '575734086',
        participant: '99999',
        rules,
        gapToleranceMs: 150_000,
        reserve: 0,
        clock,
      }),
    ).rejects.toThrow(
      /^asked Zoom for participant "99999" and it answered for user_id "20161536" \(jchill\): not shown/,
    );
  });

  it('a participant id Zoom does not know in a session: says so, after one call for it', async () => {
    const clock = new VirtualClock(T0);
    await expect(
      inspectFromZoom(client('session', clock), {
        kind: 'session',
        id: 'sfk/aOFJSJSYhGwk1hnxgw==',
        participant: 'nobody',
        rules,
        gapToleranceMs: 150_000,
        reserve: 0,
        clock,
      }),
    ).rejects.toThrow(/Zoom knows no user "nobody" in this session/);
  });

  it('refuses before any call when it would eat into the reserve left for live polling', async () => {
    const clock = new VirtualClock(T0);
    const c = client('meeting', clock);
    const before = zoom.received.length;
    await expect(
      inspectFromZoom(c, {
        kind: 'meeting',
        id: '575734086',
        participant: '20161536',
        rules,
        gapToleranceMs: 150_000,
        reserve: c.budget.remaining(),
        clock,
      }),
    ).rejects.toThrow(/kept for live polling/);
    expect(zoom.received.length).toBe(before);
  });
});

describe('inspect beside a report that reserved its calls', () => {
  it('is refused before any call when the calls it needs are reserved by another process, and runs once they are given back', async () => {
    const state = mkdtempSync(join(tmpdir(), 'qw-inspect-reserved-'));
    try {
      const clock = new VirtualClock(T0);
      const auth = new S2SOAuth(
        { oauthUrl: `${zoom.url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: 's' },
        clock,
      );
      const c = new ZoomClient({
        apiUrl: zoom.url,
        auth,
        limits: { ...PLAN_DEFAULTS.business, dailyPool: 10 },
        dailyShare: 1,
        clock,
        budgetStore: new FileBudgetStore(state, 'zoom'),
      });
      // A report (another budget on the same file) holds 9 of the pool of 10.
      const report = new DailyBudget(10, 1, clock, new FileBudgetStore(state, 'zoom'));
      expect(report.reserve(9, 0)).toBe('granted');
      const before = zoom.received.length;
      const o = {
        kind: 'meeting' as const,
        id: '575734086',
        participant: '20161536',
        rules,
        gapToleranceMs: 150_000,
        reserve: 0,
        clock,
        reserveCalls: true,
      };
      await expect(inspectFromZoom(c, o)).rejects.toThrow(
        /an inspection needs at least 2 API calls, and 1 is left of today's budget.*besides 9 calls reserved.*nothing was spent/,
      );
      expect(zoom.received.length).toBe(before);
      report.unreserve();
      const { view } = await inspectFromZoom(c, o);
      expect(view.calls).toBe(2);
      // What it reserved and did not make (the by-name lookup's calls) is given back at the end.
      c.budget.unreserve();
      expect(report.reservedByOthers()).toBe(0);
      expect(report.usedToday()).toBe(2);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
