import {
  DEFAULT_SCENARIO_FILE,
  loadScenario,
  scenarioFrom,
  type RawScenario,
} from '../../src/simulator/scenario.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { silentLogger } from '../../src/util/logger.js';
import { systemClock, VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth, VideoSdkJwt } from '../../src/zoom/auth.js';
import { ZoomClient, type ZoomClientOptions } from '../../src/zoom/client.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { captureLog, type LogLine } from './log.js';

/** 2026-11-20T10:00:00Z: scenario minute 0 in tests. */
export const T0 = Date.parse('2026-11-20T10:00:00Z');

export interface SimHarness {
  clock: VirtualClock;
  sim: ZoomSimulator;
  url: string;
  close: () => Promise<void>;
}

/** A real simulator on `host` over a virtual clock that starts `at` ms into the scenario. */
export async function startSim(raw: RawScenario, at = 5 * 60_000, host = '127.0.0.1'): Promise<SimHarness> {
  const scenario = scenarioFrom({ start: new Date(T0).toISOString(), ...raw }, T0);
  const clock = new VirtualClock(scenario.start + at);
  const sim = new ZoomSimulator(scenario, clock);
  const url = await sim.listen(0, host);
  return { clock, sim, url, close: () => sim.close() };
}

/**
 * A real simulator on `host` on real time, its scenario begun 10 minutes ago: for tests that run
 * the real command as a separate process.
 */
export async function startRealTimeSim(raw: RawScenario, host = '127.0.0.1'): Promise<ZoomSimulator> {
  const now = Date.now();
  const sim = new ZoomSimulator(
    scenarioFrom({ start: new Date(now - 10 * 60_000).toISOString(), ...raw }, now),
    systemClock,
  );
  await sim.listen(0, host);
  return sim;
}

/** The shipped default scenario (or another scenario file), served on a virtual clock at scenario minute 0. */
export async function startDefaultScenario(file = DEFAULT_SCENARIO_FILE): Promise<SimHarness> {
  const scenario = loadScenario(file, T0);
  const clock = new VirtualClock(T0);
  const sim = new ZoomSimulator(scenario, clock);
  const url = await sim.listen();
  return { clock, sim, url, close: () => sim.close() };
}

export function s2sClient(
  h: Pick<SimHarness, 'url' | 'clock'>,
  overrides: Partial<ZoomClientOptions> = {},
  secret = 'test-secret',
): ZoomClient {
  const auth = new S2SOAuth(
    { oauthUrl: `${h.url}/oauth/token`, accountId: 'acct-1', clientId: 'client-1', clientSecret: secret },
    h.clock,
  );
  return new ZoomClient({
    apiUrl: h.url,
    auth,
    limits: PLAN_DEFAULTS.business,
    dailyShare: 1,
    clock: h.clock,
    backoff: { baseMs: 100, capMs: 1000 },
    timeoutMs: 5000,
    ...overrides,
  });
}

/**
 * An S2S client over the simulator whose token requests and calls log to one captured log
 * (`lines`): `call` is one participants' QoS GET of mtg-uuid-1== (10 a page).
 */
export function loggedS2S(
  h: Pick<SimHarness, 'url' | 'clock'>,
  overrides: Partial<ZoomClientOptions> = {},
  secret = 'test-secret',
): { auth: S2SOAuth; client: ZoomClient; lines: LogLine[]; call: () => Promise<Record<string, unknown>> } {
  const { log, lines } = captureLog();
  const auth = new S2SOAuth(
    { oauthUrl: `${h.url}/oauth/token`, accountId: 'acct-1', clientId: 'client-1', clientSecret: secret },
    h.clock,
    5000,
    log,
  );
  const client = s2sClient(h, { auth, logger: log, ...overrides });
  const call = () =>
    client.get<Record<string, unknown>>(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 });
  return { auth, client, lines, call };
}

export function videoSdkClient(
  h: Pick<SimHarness, 'url' | 'clock'>,
  key = 'sdk-key',
  secret = 'sdk-secret',
): ZoomClient {
  return new ZoomClient({
    apiUrl: h.url,
    auth: new VideoSdkJwt(key, secret, h.clock),
    limits: PLAN_DEFAULTS.business,
    dailyShare: 1,
    clock: h.clock,
  });
}

/** One QoS read (10 a page) of meeting `id` of the simulator (meetingWith's by default). */
export const meetingQos = (client: ZoomClient, id = 'mtg-uuid-1=='): Promise<Record<string, unknown>> =>
  client.get(ENDPOINTS.meetingQos, { id }, { page_size: 10 });

/** A meeting with `n` participants present from the start. */
export function meetingWith(
  n: number,
  extra: Record<string, unknown> = {},
): NonNullable<RawScenario['meetings']>[number] {
  return {
    id: 85000000001,
    uuid: 'mtg-uuid-1==',
    topic: 'Test meeting',
    crowd: { count: n, prefix: 'p', join: '0m', muted_share: 0 },
    ...extra,
  };
}

/** Live meetings of the simulator through an S2S client, with a 30-minute participants-list refresh. */
export function meetingSource(h: SimHarness): DashboardSource {
  return new DashboardSource(
    'meeting',
    s2sClient(h),
    h.clock,
    new NormalizeStats(),
    silentLogger(),
    1_800_000,
  );
}
