import { afterEach, describe, expect, it } from 'vitest';
import { makeReport } from '../../src/report/make.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { startSim, videoSdkClient, type SimHarness } from '../helpers/sim.js';
import { reportOptions } from './scenario.js';

/**
 * Every example QoS answer of Zoom's API carries `leave_time` equal to `join_time` on a join that
 * is there (66b2dc1 made the daemon read it as no leave). A report took it as a leave: a join the
 * participants list lacks (a Video SDK session has no list) showed a stay of 0 minutes.
 */
let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SCENARIO: RawScenario = {
  present_leave_time: 'join_time',
  sessions: [
    {
      id: 'sess-1',
      uuid: 'sess/1==',
      topic: 'Telehealth visit',
      start: '0m',
      end: '60m',
      participants: [
        { user_id: 'user-a', name: 'Doctor', join: '0m' },
        { user_id: 'user-b', name: 'Patient', join: '1m' },
      ],
    },
  ],
};

describe("a live report of joins whose QoS entries carry Zoom's placeholder leave_time", () => {
  it('shows a join still there as not left', async () => {
    h = await startSim(SCENARIO, 20 * 60_000);
    const r = await makeReport(
      videoSdkClient(h),
      reportOptions(h, { kind: 'session', id: 'sess-1', source: 'samples' }),
    );
    expect(r.instance).toMatchObject({ kind: 'session', live: true });
    const by = new Map(r.participants.map((p) => [p.name, p]));
    expect(by.get('Doctor')?.joined).toBeDefined();
    expect(by.get('Doctor')?.left).toBeUndefined();
    expect(by.get('Patient')?.joined).toBeDefined();
    expect(by.get('Patient')?.left).toBeUndefined();
  });
});
