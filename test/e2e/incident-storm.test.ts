import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { startDaemonOverSim } from '../helpers/daemon-over-sim.js';
import { FakeSlack, type SlackCall } from '../helpers/fake-slack.js';
import { T0 } from '../helpers/sim.js';

/**
 * One cause, one page: a data-center-wide loss (every NY participant at 9% audio loss) across
 * four meetings and 30 participants, against the simulator, through the daemon's own poll and
 * notify loops to a real webhook receiver and a fake Slack. Exactly one page for the incident
 * (one reminder, one resolve), each reading right; the meeting and participant alerts are
 * explained by it and not sent. Silenced, the incident takes what it explains with it.
 */
const SIZES = [8, 8, 7, 7];
const STORM: RawScenario = {
  meetings: [
    ...SIZES.map((count, i) => ({
      id: 86100000001 + i,
      uuid: `storm-${i}==`,
      topic: `Storm ${i + 1}`,
      crowd: { count, prefix: `m${i}-`, join: '0m', data_centers: ['NY'], muted_share: 0 },
    })),
    {
      id: 86100000009,
      uuid: 'calm==',
      topic: 'Calm in San Jose',
      crowd: { count: 5, prefix: 'sc-', join: '0m', data_centers: ['SC'], muted_share: 0 },
    },
  ],
  episodes: [
    { name: 'NY loss', where: { data_center: 'NY' }, from: '8m', to: '22m', audio: { avg_loss: '9%' } },
  ],
};

interface Run {
  bodies: {
    status: string;
    alerts: { rule: string; status: string; annotations: Record<string, string> }[];
  }[];
  slack: SlackCall[];
  fired: Alert[];
  /** What /api/v1/alerts answered mid-incident (scenario minute 15). */
  explainedSeen: Alert[];
}

/**
 * The daemon as `qoswatch run` runs it (its poll loop and its notify loop together, each
 * notifier delivering for real) polls the simulator on a clock that moves only when both loops
 * are asleep (VirtualClock's lockstep), from scenario minute 0 to 40. Every alert goes
 * to a webhook receiver and to a fake Slack (slackApiUrl), through a route whose catch-all
 * sibling follows a `continue: true` route, as the README shows.
 */
async function storm(silence: boolean): Promise<Run> {
  const h = await startDaemonOverSim(STORM, {
    at: 0,
    route: {
      receiver: 'slack',
      group_by: ['alertname', 'instance'],
      group_wait: '30s',
      group_interval: '2m',
      repeat_interval: '8m',
      routes: [{ receiver: 'hook', continue: true }, { receiver: 'slack' }],
    },
  });
  const { clock, config } = h;
  const slack = new FakeSlack();
  const slackUrl = await slack.listen();
  const run: Run = { bodies: [], slack: [], fired: [], explainedSeen: [] };
  try {
    config.notify.notifiers.push({
      name: 'slack',
      type: 'slack',
      sendResolved: true,
      timing: {},
      settings: { token: slack.token, channel: '#noc', api_url: slackUrl },
    });
    config.notify.silences = silence
      ? [{ matchers: { alertname: 'datacenter-loss-incident' }, comment: 'known NY incident' }]
      : [];
    const daemon = await h.daemon();
    const api = await daemon.listen();
    daemon.onAlerts((changes) => {
      for (const c of changes) if (c.state === 'firing' && c.previous !== 'firing') run.fired.push(c.alert);
    });
    let asked: Promise<void> | undefined;
    const stop = new AbortController();
    await daemon.run(stop.signal, () => {
      // Mid-incident, /api/v1/alerts as an operator reads it; time stands still meanwhile.
      if (!asked && clock.now() >= T0 + 15 * 60_000) {
        const release = clock.hold();
        asked = fetch(`${api}/api/v1/alerts`)
          .then(async (r) => {
            run.explainedSeen = ((await r.json()) as { alerts: Alert[] }).alerts.filter((a) => a.explainedBy);
          })
          .finally(release);
      }
      if (clock.now() >= T0 + 40 * 60_000) stop.abort();
    });
    await asked;
    run.bodies = h.pages<Run['bodies'][number]>();
    run.slack = slack.calls;
  } finally {
    await slack.close();
    await h.close();
  }
  return run;
}

let loud: Run;
let quiet: Run;
beforeAll(async () => {
  loud = await storm(false);
  quiet = await storm(true);
}, 240_000);

describe('a data-center incident across four meetings and 30 participants', () => {
  it('is exactly one page, one reminder and its resolve', () => {
    expect(loud.bodies.map((b) => [b.status, b.alerts.map((a) => `${a.rule}:${a.status}`)])).toEqual([
      ['firing', ['datacenter-loss-incident:firing']],
      ['firing', ['datacenter-loss-incident:firing']],
      ['resolved', ['datacenter-loss-incident:resolved']],
    ]);
    const [page, reminder, resolve] = loud.bodies.map((b) => b.alerts[0]!.annotations.summary!);
    expect(page).toMatch(
      /^Data center NY: audio loss above 5\.0% for all 30 participants in 4 meetings for 2 min$/,
    );
    // The reminder (repeat_interval 8m) says how long it has lasted by now, not at firing.
    const lasted = Number(
      /^Data center NY: audio loss still above 5\.0% for all 30 participants in 4 meetings for (\d+) min$/.exec(
        reminder!,
      )?.[1],
    );
    expect(lasted).toBeGreaterThanOrEqual(2 + 8);
    expect(resolve).toMatch(
      /^Data center NY: audio loss back under 5\.0% for (all 30|\d+ of 30) participants \(was above for \d+ min, at worst for \d+% of participants\)$/,
    );
  });

  it('is one Slack message, updated and threaded, that reads right when it fires, repeats and resolves', () => {
    const text = (c: SlackCall): string => JSON.stringify(c.args);
    expect(loud.slack.map((c) => `${c.method}${c.args.thread_ts ? ' (thread)' : ''}`)).toEqual([
      'chat.postMessage',
      'chat.update',
      'chat.postMessage (thread)',
      'chat.update',
      'chat.postMessage (thread)',
    ]);
    for (const c of loud.slack) {
      expect(text(c)).toContain('Data center NY');
      expect(text(c)).not.toMatch(/meeting-audio-degraded|\b1 (participants|meetings)\b|newest data/);
    }
    const [post, remindUpdate, remind, resolveUpdate, resolve] = loud.slack.map(text);
    expect(post).toContain('[FIRING:1] datacenter-loss-incident');
    expect(post).toContain('above 5.0% for all 30 participants in 4 meetings for 2 min');
    expect(post).toContain('2026-11-20T10:08:00Z (2 min so far)');
    const lasted = /still above 5\.0% for all 30 participants in 4 meetings for (\d+) min/.exec(remind!)?.[1];
    expect(Number(lasted)).toBeGreaterThanOrEqual(10);
    expect(remind).toContain(`2026-11-20T10:08:00Z (${lasted} min so far)`);
    expect(remindUpdate).toContain(`for ${lasted} min`);
    expect(resolveUpdate).toContain('[RESOLVED:1] datacenter-loss-incident');
    expect(resolveUpdate).toMatch(/data_center NY: (all 30|\d+ of 30) participants recovered/);
    expect(resolve).toMatch(
      /^\{"channel":"C123","thread_ts":"[\d.]+","text":"RESOLVED \(recovered\) Data center NY: audio loss back under 5\.0%/,
    );
    // "since" stays when it started breaching, from the page to the resolve.
    expect(resolve).toContain('was breaching from 2026-11-20T10:08:00Z');
  });

  it('fires the meeting and participant alerts explained by it, held back', () => {
    const meetings = loud.fired.filter((a) => a.rule === 'meeting-audio-degraded');
    expect(new Set(meetings.map((a) => a.labels.instance)).size).toBe(4);
    const participants = loud.fired.filter((a) => a.scope === 'participant');
    expect(new Set(participants.map((a) => a.id)).size).toBeGreaterThanOrEqual(30);
    for (const a of [...meetings, ...participants])
      expect(a.inhibitedBy, a.id).toBe('datacenter-loss-incident|NY');
  });

  it('shows them in /api/v1/alerts as explained, with the reason', () => {
    const meeting = loud.explainedSeen.find((a) => a.rule === 'meeting-audio-degraded');
    expect(meeting?.explanation).toMatch(
      /^explained by datacenter-loss-incident\|NY: all \d+ breaching participants are in data_center NY$/,
    );
    expect(loud.explainedSeen.filter((a) => a.scope === 'participant').length).toBe(30);
  });

  it('silenced, the incident sends nothing, and neither does anything it explains', () => {
    expect(quiet.fired.some((a) => a.rule === 'datacenter-loss-incident')).toBe(true);
    expect(quiet.fired.filter((a) => a.rule === 'meeting-audio-degraded').length).toBeGreaterThanOrEqual(4);
    expect(quiet.bodies).toEqual([]);
    expect(quiet.slack).toEqual([]);
  });
});
