import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { TestServer } from '../helpers/http-server.js';
import { annLeftOut } from '../helpers/left-out-list.js';
import { pushedRun } from '../helpers/push-e2e.js';
import type { SimHarness } from '../helpers/sim.js';

/**
 * A pushed participant whom one poll's QoS list leaves out (note 29, LOW: Zoom's list may lag a
 * fresh join, or drop someone for a page). Zoom pushes Ann, not Bob, so the meeting is polled
 * every minute; at minutes 8 and 9 its QoS list (through a real proxy) lacks Ann while her
 * pushes go on. Before, that poll took her as gone: her firing alert resolved, then fired
 * again at her next push (two notifications for one problem). Now a participant pushed within
 * `gap_tolerance` is not gone because a poll missed them.
 */
const SECRET = 'listed-late-secret';
const END = 14;
const ANN = '310';
const MISSING = [8, 9];

let h: SimHarness;
let proxy: TestServer;
let daemon: Daemon;
let changes: AlertChange[];
/** Minutes at which the proxy left Ann out of the meeting's QoS list. */
let leftOut: number[] = [];

beforeAll(async () => {
  ({ h, proxy, leftOut } = await annLeftOut(
    'push-listed-late',
    { id: 83000000031, uuid: 'late==', topic: 'Listed late' },
    { ann: ANN, bob: '311' },
    (minute) => MISSING.includes(minute),
  ));
  ({ daemon, changes } = await pushedRun(
    h,
    SECRET,
    (_inst, p) => p.key === 'ann',
    END,
    (c) => {
      c.zoom!.apiUrl = proxy.url;
      c.zoom!.oauthUrl = `${proxy.url}/oauth/token`;
    },
  ));
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await proxy.close();
  await h.close();
});

describe('a pushed participant one poll leaves out', () => {
  it('is left out of the QoS list at minutes 8 and 9 (the case happens)', () => {
    expect(leftOut).toEqual(MISSING);
  });

  it('keeps her alert firing: it fires once and never resolves while her pushes go on', () => {
    const ann = changes.filter(
      (c) => c.alert.labels.participant === ANN && c.alert.rule === 'audio-latency-high',
    );
    expect(ann.map((c) => c.state)).toEqual(['pending', 'firing']);
    expect(daemon.parts.engine.current(ann[1]!.alert.id)?.state).toBe('firing');
  });
});
