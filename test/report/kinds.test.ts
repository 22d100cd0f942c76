import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { formatHtml } from '../../src/report/format-html.js';
import { makeReport } from '../../src/report/make.js';
import type { Report } from '../../src/report/types.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { fromRoot } from '../../src/util/package-root.js';
import { S2SOAuth, VideoSdkJwt } from '../../src/zoom/auth.js';
import { s2sClient, startSim, videoSdkClient, type SimHarness } from '../helpers/sim.js';
import { reportOptions } from './scenario.js';

/**
 * Webinar and Video SDK session reports end to end: `makeReport` against the simulator over
 * HTTP (details, QoS summary, past QoS, participants list where there is one), the answers'
 * shapes held against Zoom's example responses, and the figures from the summary against those
 * from the samples.
 */
let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SCENARIO: RawScenario = {
  webinars: [
    {
      id: 93000000001,
      uuid: 'webinar/1==',
      topic: 'All hands',
      start: '0m',
      end: '40m',
      participants: [
        { user_id: '16790001', name: 'Host', join: '0m', network_type: 'Wired' },
        { user_id: '16790002', name: 'Viewer on 4G', join: '2m', network_type: 'Cellular' },
        { user_id: '16790003', name: 'Viewer', join: '3m' },
      ],
    },
  ],
  sessions: [
    {
      id: 'sess-1',
      uuid: 'sess/1==',
      topic: 'Telehealth visit',
      start: '0m',
      end: '30m',
      participants: [
        { user_id: 'user-a', name: 'Doctor', join: '0m' },
        { user_id: 'user-b', name: 'Patient', join: '1m', network_type: 'Wifi' },
      ],
    },
  ],
  episodes: [
    { where: { participant: '16790002' }, from: '10m', to: '20m', audio: { avg_loss: '9%' } },
    { where: { participant: 'user-b' }, from: '5m', to: '15m', audio: { latency: '500ms' } },
  ],
};
const AFTER = 45 * 60_000;

/** Every key path of a JSON value ("users[].qos[].details.avg_latency"). */
function paths(v: unknown, at = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(v)) for (const x of v) for (const p of paths(x, `${at}[]`)) out.add(p);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      const here = at ? `${at}.${k}` : k;
      out.add(here);
      for (const p of paths(x, here)) out.add(p);
    }
  return out;
}

/** The key paths of Zoom's example answer of one endpoint (test/fixtures, from shared/). */
const zoom = (name: string): Set<string> =>
  paths(
    JSON.parse(
      readFileSync(
        fromRoot('test', 'fixtures', 'zoom-samples', 'zoomnet', 'endpoints', `${name}_GET.json`),
        'utf8',
      ),
    ),
  );

/**
 * Keys the simulator sends that Zoom's examples and spec lack, known and left for the
 * simulator's owners: a webinar's participants list carries the meeting item's `status` and
 * `camera` (the client ignores both).
 */
const KNOWN_EXTRA = ['participants[].status', 'participants[].camera'];

/** The simulator's answer to one GET, with the credentials the report's client uses. */
async function raw(h: SimHarness, path: string, sdk = false): Promise<unknown> {
  const auth = sdk
    ? new VideoSdkJwt('sdk-key', 'sdk-secret', h.clock)
    : new S2SOAuth(
        {
          oauthUrl: `${h.url}/oauth/token`,
          accountId: 'acct-1',
          clientId: 'client-1',
          clientSecret: 'test-secret',
        },
        h.clock,
      );
  const url = `${h.url}${path}`;
  const res = await fetch(url, { headers: { authorization: (await auth.authorize()).header } });
  expect(res.status, url).toBe(200);
  return res.json();
}

/** participant / stream / metric -> [min, avg, max]. */
function figures(r: Report): Map<string, (number | undefined)[]> {
  const out = new Map<string, (number | undefined)[]>();
  for (const p of r.participants)
    for (const s of p.streams)
      for (const [m, f] of Object.entries(s.metrics))
        out.set(`${p.key}/${s.stream}/${m}`, [f.min, f.avg, f.max]);
  return out;
}

function sameFigures(a: Report, b: Report): number {
  const fa = figures(a);
  const fb = figures(b);
  expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
  for (const [k, xs] of fa) {
    const tol = /bitrate/.test(k) ? 10 : /loss/.test(k) ? 0.0001 : /frame_rate/.test(k) ? 0.05 : 0.0006;
    xs.forEach((x, i) => {
      if (x === undefined) return;
      expect(Math.abs(x - fb.get(k)![i]!), `${k}[${i}]: ${x} vs ${fb.get(k)![i]}`).toBeLessThanOrEqual(tol);
    });
  }
  return fa.size;
}

describe('webinar and Video SDK session reports, over HTTP against the simulator', () => {
  it('a webinar: the summary in the examples shape, the same figures from the past samples, worst first', async () => {
    h = await startSim(SCENARIO, AFTER);
    const client = s2sClient(h);
    const options = reportOptions(h, { kind: 'webinar', id: '93000000001' });
    const fromSummary = await makeReport(client, options);
    expect(fromSummary.instance).toMatchObject({
      kind: 'webinar',
      uuid: 'webinar/1==',
      live: false,
      participants: 3,
    });
    expect(fromSummary.source).toBe('qos_summary');
    expect(h.sim.requests.get('qos-summary 200')).toBe(1);
    const fromSamples = await makeReport(client, { ...options, source: 'samples' });
    expect(fromSamples.source).toBe('past_samples');
    expect(sameFigures(fromSummary, fromSamples)).toBeGreaterThan(20);

    // The 4G viewer's nine percent audio loss for ten minutes: first, with the alert.
    const [worst] = fromSummary.participants;
    expect(worst).toMatchObject({ name: 'Viewer on 4G', context: { networkType: 'Cellular' } });
    expect(worst!.breaches).toContainEqual(expect.objectContaining({ rule: 'audio-loss-high', minutes: 10 }));
    expect(worst!.alerts.map((a) => a.rule)).toEqual(['audio-loss-high']);
    const html = formatHtml(fromSummary);
    expect(html).toContain('<h1>All hands (webinar 93000000001, instance webinar/1==)');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(12);

    // The webinar's answers as the simulator serves them: no key that Zoom's examples lack.
    const uuid = encodeURIComponent(encodeURIComponent('webinar/1=='));
    for (const [path, name] of [
      ['/participants/qos_summary', 'metrics-webinars-{webinarId}-participants-qos_summary'],
      ['/participants/qos?type=past', 'metrics-webinars-{webinarId}-participants-qos'],
      ['/participants?type=past', 'metrics-webinars-{webinarId}-participants'],
      ['?type=past', 'metrics-webinars-{webinarId}'],
    ] as const) {
      const served = paths(await raw(h, `/v2/metrics/webinars/${uuid}${path}`));
      expect(served.size, name).toBeGreaterThan(5);
      expect(
        [...served].filter((p) => !zoom(name).has(p) && !KNOWN_EXTRA.includes(p)),
        name,
      ).toEqual([]);
    }
  });

  it('a webinar without the QoS Subscription: the past samples, and the refusal said', async () => {
    h = await startSim({ ...SCENARIO, qos_summary: false }, AFTER);
    const r = await makeReport(s2sClient(h), reportOptions(h, { kind: 'webinar', id: '93000000001' }));
    expect(r.source).toBe('past_samples');
    expect(r.sourceNote).toMatch(/Zoom refused the QoS summary \(HTTP 403/);
    expect(r.participants[0]!.breaches[0]).toMatchObject({ rule: 'audio-loss-high', minutes: 10 });
  });

  it('a Video SDK session: users, no participants list, the same figures from summary and samples', async () => {
    h = await startSim(SCENARIO, AFTER);
    const client = videoSdkClient(h);
    const options = reportOptions(h, { kind: 'session', id: 'sess-1' });
    const fromSummary = await makeReport(client, options);
    expect(fromSummary.instance).toMatchObject({ kind: 'session', live: false });
    expect(fromSummary.source).toBe('qos_summary');
    const fromSamples = await makeReport(client, { ...options, source: 'samples' });
    expect(fromSamples.source).toBe('past_samples');
    // Details, one summary page, one QoS page: a session has no participants list.
    expect(fromSamples.calls).toBe(2);
    expect(fromSummary.calls).toBe(3);
    expect(sameFigures(fromSummary, fromSamples)).toBeGreaterThan(10);
    const [patient, doctor] = fromSummary.participants;
    expect(patient).toMatchObject({ name: 'Patient' });
    expect(patient!.breaches).toContainEqual(
      expect.objectContaining({ rule: 'audio-latency-high', minutes: 10, threshold: '> 300 ms' }),
    );
    expect(doctor!.breaches).toEqual([]);
    const html = formatHtml(fromSummary);
    expect(html).toContain('<h1>Telehealth visit (session sess/1==');
    expect(html.match(/<svg class="chart"[^>]*data-metric="latency"/g)).toHaveLength(2);

    for (const [path, name] of [
      ['/users/qos_summary', 'videosdk-sessions-{sessionId}-users-qos_summary'],
      ['/users/qos?type=past', 'videosdk-sessions-{sessionId}-users-qos'],
      ['?type=past', 'videosdk-sessions-{sessionId}'],
    ] as const) {
      const served = paths(await raw(h, `/v2/videosdk/sessions/sess-1${path}`, true));
      expect(served.size, name).toBeGreaterThan(5);
      expect(
        [...served].filter((p) => !zoom(name).has(p)),
        name,
      ).toEqual([]);
    }
  });
});
