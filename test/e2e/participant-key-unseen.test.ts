import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { debianBinary } from '../helpers/binaries.js';
import { startDaemonOverSim, type DaemonOverSim } from '../helpers/daemon-over-sim.js';
import { runUntil } from '../helpers/daemon.js';
import { T0 } from '../helpers/sim.js';

/**
 * A participant key holding a right-to-left override (U+202E) or another unseen character. Names
 * are made visible where they enter (zoom-text-unseen.test.ts); keys cannot be, as they are what
 * joins and API calls use. On the old code the key reached a guest's name ("Guest 70‮03's
 * audio loss"), the alert's `participant` label and the `participant` label of /metrics as it
 * came. Now each shows it escaped (normalize/zoom-text.ts `shownKey`), one to one: the two keys
 * that differ only in their unseen character, and the one that spells `\u202e` out, stay three
 * participants, three series and three alerts. So do lone surrogates (each its `\ud800`
 * escape, not U+FFFD), marks, zero-width and other default-ignorable characters and blanks that
 * look like a space (stop 37). The webhook's JSON `context` keeps the raw key.
 */
const RLO = '\u202e';
// Two lone surrogates (outside tester, stop 37: both showed as `70\ufffd03`, two identical series
// lines in one scrape), a right-to-left mark, a zero-width space, a tag character, a no-break
// space and the key they would all look like.
const KEYS = [
  `70${RLO}03`,
  '70\u202d03',
  '70\\u202e03',
  '70\ud80003',
  '70\ud80103',
  '70\u200f03',
  '70\u200b03',
  '70\u{e0041}03',
  '70\u00a003',
  '7003',
];
const SHOWN = [
  '70\\u202e03',
  '70\\u202d03',
  '70\\\\u202e03',
  '70\\ud80003',
  '70\\ud80103',
  '70\\u200f03',
  '70\\u200b03',
  '70\\udb40\\udc4103',
  '70\\u00a003',
  '7003',
];
const DCS = ['SC', 'SJ', 'DV'];
const SCENARIO: RawScenario = {
  qos_window: '30m',
  meetings: [
    {
      id: 86500000004,
      uuid: 'unseen-key-1==',
      topic: 'Weekly sync',
      start: '0m',
      end: '60m',
      // Fewer than datacenter-loss-incident's 5 in each data center: one alert a guest.
      participants: KEYS.map((k, i) => ({ key: `g${i}`, user_id: k, name: '', data_center: DCS[i % 3]! })),
    },
  ],
  episodes: [
    ...DCS.map((dc) => ({
      name: `loss-${dc}`,
      where: { data_center: dc },
      from: '0m',
      to: '60m',
      audio: { avg_loss: '9%' },
    })),
  ],
};

const MIN = 60_000;
const UNSEEN =
  // eslint-disable-next-line no-control-regex -- the characters looked for include the controls
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}\u00a0\ufffd]/u;
const promtool = debianBinary('promtool', 'prometheus');

interface Sent {
  rule: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  context: Record<string, unknown>;
}

let h: DaemonOverSim;
let sent: Sent[];
let metrics: string;
beforeAll(async () => {
  h = await startDaemonOverSim(SCENARIO, {
    at: 5 * MIN,
    route: {
      receiver: 'hook',
      group_by: ['alertname', 'participant'],
      group_wait: '0s',
      group_interval: '1m',
    },
  });
  h.config.metrics.participantSeries = true;
  const daemon = await h.daemon();
  await runUntil(daemon, h, T0 + 12 * MIN);
  // A run stops the HTTP endpoint when it ends: listen again to read /metrics as it ended.
  const url = await daemon.listen(0);
  metrics = await (await fetch(`${url}/metrics`)).text();
  await daemon.close();
  sent = h.pages<{ alerts: Sent[] }>().flatMap((p) => p.alerts);
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe('a participant key with an unseen character, through the daemon', () => {
  it('fires one alert a key, each named and labelled with the key escaped', () => {
    const loss = sent.filter((a) => a.rule === 'audio-loss-high' && a.status === 'firing');
    expect(loss.map((a) => a.labels.participant).sort()).toEqual([...SHOWN].sort());
    for (const a of loss)
      expect(a.annotations.summary).toContain(`Guest ${a.labels.participant}'s (Windows, Wired) audio loss`);
    expect(JSON.stringify(loss.map((a) => [a.labels, a.annotations]))).not.toMatch(UNSEEN);
  });

  it('keeps the raw key where programs read it: the alert context the webhook carries', () => {
    const loss = sent.filter((a) => a.rule === 'audio-loss-high' && a.status === 'firing');
    expect(loss.map((a) => a.context.participantKey).sort()).toEqual([...KEYS].sort());
  });

  it('labels /metrics by the escaped key, one series a participant', () => {
    expect(metrics).not.toMatch(UNSEEN);
    const series = metrics.split('\n').filter((l) => l.startsWith('qoswatch_participant_'));
    expect(series.length).toBeGreaterThan(0);
    expect(new Set(series.map((l) => l.replace(/ [^ ]+$/, ''))).size).toBe(series.length);
    for (const shown of SHOWN) {
      // The exposition format escapes the backslash again.
      const label = `participant="${shown.replaceAll('\\', '\\\\')}"`;
      expect(
        metrics.split('\n').filter((l) => l.startsWith('qoswatch_participant_') && l.includes(label)),
      ).not.toEqual([]);
    }
  });

  it.runIf(promtool)('passes promtool check metrics', () => {
    const r = spawnSync(promtool!, ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
