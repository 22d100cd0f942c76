import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { startDaemonOverSim, type DaemonOverSim } from '../helpers/daemon-over-sim.js';
import { runUntil } from '../helpers/daemon.js';
import { T0 } from '../helpers/sim.js';

/**
 * Characters that change what people read without being seen, in what Zoom gives (outside
 * tester: a right-to-left override U+202E in a name or topic reached alert texts unchanged,
 * where it can make "Bob" read as someone else's text). They are made visible where Zoom's text
 * enters (normalize/zoom-text.ts `visible`): each becomes U+FFFD, a line break a space, in every
 * alert a notifier sends. Here the simulator serves them over HTTP as Zoom would, the daemon
 * polls it, and a real webhook receiver gets the alerts.
 */
const RLO = '\u202e';
const SCENARIO: RawScenario = {
  qos_window: '30m',
  meetings: [
    {
      id: 86500000003,
      uuid: 'unseen-1==',
      topic: `Weekly ${RLO}cnys\u2066 sync`,
      start: '0m',
      end: '60m',
      participants: [
        {
          key: 'bob',
          user_id: '7003',
          // Stop 37: a zero-width space, a right-to-left mark, a Hangul filler, a lone surrogate.
          name: `Bob${RLO}gpj.exe\u0007\nOka\u200bfor\u202a\u200f\u3164\ud800`,
          data_center: 'SC',
          device: `Mac\u001b[2J`,
          location: `San Jose\u2067 (US)\u0085x`,
        },
      ],
    },
  ],
  episodes: [
    { name: 'loss', where: { data_center: 'SC' }, from: '0m', to: '60m', audio: { avg_loss: '9%' } },
  ],
};

const MIN = 60_000;
// eslint-disable-next-line no-control-regex -- the characters looked for include the controls
const UNSEEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}]/u;

interface Sent {
  rule: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  context?: Record<string, unknown>;
}

let h: DaemonOverSim;
let sent: Sent[];
beforeAll(async () => {
  h = await startDaemonOverSim(SCENARIO, {
    at: 5 * MIN,
    route: { receiver: 'hook', group_by: ['alertname'], group_wait: '0s', group_interval: '1m' },
  });
  const daemon = await h.daemon();
  await runUntil(daemon, h, T0 + 12 * MIN);
  await daemon.close();
  sent = h.pages<{ alerts: Sent[] }>().flatMap((p) => p.alerts);
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe("Zoom's text with unseen characters, through the daemon to a webhook", () => {
  it('an alert fired, and its whole body holds none of them (U+202E was sent as it came on the old code)', () => {
    const loss = sent.find((a) => a.rule === 'audio-loss-high' && a.status === 'firing');
    expect(loss).toBeDefined();
    expect(JSON.stringify(sent)).not.toMatch(UNSEEN);
  });

  it('says where each was, with U+FFFD, and a line break as a space', () => {
    const loss = sent.find((a) => a.rule === 'audio-loss-high')!;
    expect(loss.annotations.summary).toMatch(
      /^Bob\ufffdgpj\.exe\ufffd Oka\ufffdfor\ufffd{4}'s audio loss is [\d.]+% in "Weekly \ufffdcnys\ufffd sync"/,
    );
    expect(loss.context).toMatchObject({
      participant: 'Bob\ufffdgpj.exe\ufffd Oka\ufffdfor\ufffd\ufffd\ufffd\ufffd',
      topic: 'Weekly \ufffdcnys\ufffd sync',
      device: 'Mac\ufffd[2J',
      location: 'San Jose\ufffd (US) x',
    });
  });
});
