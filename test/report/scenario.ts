import { fromRoot } from '../../src/util/package-root.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { MakeReportOptions } from '../../src/report/make.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { simProxy } from '../helpers/proxy.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

/** The shipped rules: a report applies the daemon's own. */
export const DEFAULT_RULES = loadRules([fromRoot('rules', 'default.yaml')]);

/**
 * Meeting 777 met twice: 10:00-10:20 (Ann, Bob) and 11:00-11:30 (Ann, Cy on Wi-Fi, Dee). Cy's
 * audio latency is 480 ms from 11:10 to 11:20; Dee, a guest, has no name. The second
 * instance's UUID starts with "/" and holds "//": Zoom wants it encoded twice.
 */
export const WEEKLY: RawScenario = {
  shape: 'older',
  meetings: [
    {
      id: 777,
      uuid: 'first+inst==',
      topic: 'Weekly sync',
      start: '0m',
      end: '20m',
      participants: [
        { user_id: '16778240', id: 'acct-a', name: 'Ann', email: 'ann@example.com', join: '0m' },
        { user_id: '16779264', name: 'Bob', join: '2m', leave: '15m' },
      ],
    },
    {
      id: 777,
      uuid: '/second//inst==',
      topic: 'Weekly sync',
      start: '60m',
      end: '90m',
      participants: [
        { user_id: '16780288', id: 'acct-a', name: 'Ann', email: 'ann@example.com', join: '0m' },
        { user_id: '16781312', name: 'Cy', join: '1m', network_type: 'Wifi', device: 'Mac' },
        { user_id: '16782336', name: '', join: '3m', leave: '25m' },
      ],
    },
  ],
  episodes: [{ where: { participant: '16781312' }, from: '70m', to: '80m', audio: { latency: '480ms' } }],
};

/** WEEKLY's second instance alone, with more participants. */
export const weeklyWith = (
  ...extra: NonNullable<RawScenario['meetings']>[number]['participants'] & object
): RawScenario => ({
  ...WEEKLY,
  meetings: [{ ...WEEKLY.meetings![1]!, participants: [...WEEKLY.meetings![1]!.participants!, ...extra] }],
});

/** A report of meeting 777 (the latest ended instance) with the shipped rules, on the harness's clock. */
export function reportOptions(h: SimHarness, o: Partial<MakeReportOptions> = {}): MakeReportOptions {
  return {
    kind: 'meeting',
    id: '777',
    source: 'auto',
    rules: DEFAULT_RULES,
    gapToleranceMs: 150_000,
    reserve: 0,
    clock: h.clock,
    ...o,
  };
}

/** Strings a participant (or whoever names a meeting) controls, each trying to break out of HTML. */
export const HOSTILE = {
  name: `</svg></title><script>alert("x")</script><img src=x onerror=alert(1)>`,
  quote: `Zoë "O'Brien" & <b>co</b>`,
  topic: `Sync <script src="https://evil.example/x.js"></script>`,
  location: `</desc><svg onload=alert(2)>`,
  dataCenter: `"><iframe src=//evil.example>`,
};

/** WEEKLY's second instance with hostile strings where Zoom passes on people's input. */
export const HOSTILE_WEEKLY: RawScenario = {
  ...WEEKLY,
  meetings: [
    {
      ...WEEKLY.meetings![1]!,
      topic: HOSTILE.topic,
      participants: [
        ...WEEKLY.meetings![1]!.participants!,
        { user_id: '16783360', name: HOSTILE.name, join: '2m', location: HOSTILE.location },
        { user_id: '16784384', name: HOSTILE.quote, join: '4m', data_center: HOSTILE.dataCenter },
      ],
    },
  ],
};

/**
 * WEEKLY's second instance with 45 joins, at `at` ms into the scenario, behind a proxy whose
 * details say 1 participant: Zoom's count understating the joins, so a report foretells one
 * page of each listing and finds 5 QoS pages. `url` is the proxy's.
 */
export async function understatedMeeting(
  at: number,
): Promise<{ h: SimHarness; url: string; close: () => Promise<void> }> {
  const people = Array.from({ length: 45 }, (_, i) => ({
    user_id: String(17000000 + i),
    name: `P${i}`,
    join: '1m',
  }));
  const h = await startSim({ ...WEEKLY, meetings: [{ ...WEEKLY.meetings![1]!, participants: people }] }, at);
  const proxy = await simProxy(h.url, {
    rewrite: (t) => t.replace(/"participants":45\b/, '"participants":1'),
  });
  return {
    h,
    url: proxy.url,
    close: async () => {
      await proxy.close();
      await h.close();
    },
  };
}
