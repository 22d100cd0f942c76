import type { Received, TestServer } from './http-server.js';
import { simProxy } from './proxy.js';
import { startSim, type SimHarness } from './sim.js';

const MIN = 60_000;

/** A meeting of the lagging-list tests: its number, UUID and topic, with one participant. */
export interface ListedMeeting {
  id: number;
  uuid: string;
  topic: string;
  user: { key: string; user_id: string; name: string };
}

/**
 * The simulator 10 minutes into two meetings, `ends` (over at minute 12) and `stays` (3 hours),
 * behind a real HTTP proxy whose meetings list goes on showing `ends` as it was last listed live
 * while `lag()` holds: Zoom's live list lags an end. `answer` may answer a request itself
 * (simProxy's), `seen` sees every request passed on to the simulator.
 */
export async function laggingList(
  seed: string,
  ends: ListedMeeting,
  stays: ListedMeeting,
  o: {
    lag?: () => boolean;
    answer?: (r: Received) => { status: number; body: string } | undefined;
    seen?: (r: Received) => void;
  } = {},
): Promise<{ h: SimHarness; proxy: TestServer; close: () => Promise<void> }> {
  const meeting = (m: ListedMeeting, end: string) => ({
    id: m.id,
    uuid: m.uuid,
    topic: m.topic,
    start: '0m',
    end,
    participants: [{ ...m.user, id: `u-${m.user.key}` }],
  });
  const h = await startSim({ seed, meetings: [meeting(ends, '12m'), meeting(stays, '3h')] }, 10 * MIN);
  let entry: string | undefined;
  const proxy = await simProxy(h.url, {
    ...(o.answer ? { answer: o.answer } : {}),
    rewrite: (text, r) => {
      o.seen?.(r);
      if (!/\/metrics\/meetings\?/.test(r.path)) return text;
      const page = JSON.parse(text) as { meetings: { uuid: string }[] };
      const live = page.meetings.find((m) => m.uuid === ends.uuid);
      if (live) entry = JSON.stringify(live);
      else if ((o.lag?.() ?? true) && entry) page.meetings.push(JSON.parse(entry) as { uuid: string });
      return JSON.stringify(page);
    },
  });
  return {
    h,
    proxy,
    close: async () => {
      await proxy.close();
      await h.close();
    },
  };
}
