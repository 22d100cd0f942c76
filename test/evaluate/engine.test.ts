import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { MIN, rulesFrom, sample, T, type SampleExtra } from '../helpers/rules.js';

const latencyRule: Partial<RawRule> = {
  name: 'lat',
  streams: ['any_audio'],
  metric: 'latency',
  when: 'above',
  threshold: '300ms',
  for: '2m',
};
const engineWith = (rules: Partial<RawRule>[], gap = 5 * MIN): RuleEngine =>
  new RuleEngine(rulesFrom(rules), { gapToleranceMs: gap });
const feed = (e: RuleEngine, samples: QosSample[]): AlertChange[] =>
  samples.flatMap((s) => e.handle({ type: 'samples', samples: [s] }));
const states = (changes: AlertChange[]): string[] => changes.map((c) => `${c.alert.rule}:${c.alert.state}`);

describe('operators, metrics and units', () => {
  type Input = SampleExtra & { streams: QosSample['streams'] };
  const cases: { name: string; rule: Partial<RawRule>; breach: Input; ok: Input }[] = [
    {
      name: 'latency above 300ms',
      rule: { metric: 'latency', streams: ['audio_input'], when: 'above', threshold: '300ms' },
      breach: { streams: { audio_input: { latency: 0.31 } } },
      ok: { streams: { audio_input: { latency: 0.3 } } },
    },
    {
      name: 'jitter above 0.04s',
      rule: { metric: 'jitter', streams: ['any'], when: 'above', threshold: '0.04s' },
      breach: { streams: { video_output: { jitter: 0.05 } } },
      ok: { streams: { video_output: { jitter: 0.01 } } },
    },
    {
      name: 'avg loss above 5%',
      rule: { metric: 'avg_loss', streams: ['any_sent'], when: 'above', threshold: '5%' },
      breach: { streams: { audio_input: { avgLoss: 0.06 } } },
      ok: { streams: { audio_output: { avgLoss: 0.5 } } },
    },
    {
      name: 'max loss above 10%',
      rule: { metric: 'max_loss', streams: ['audio_received'], when: 'above', threshold: '10%' },
      breach: { streams: { audio_output: { maxLoss: 0.2 } } },
      ok: { streams: { audio_output: { maxLoss: 0.1 } } },
    },
    {
      name: 'bitrate below 500kbps',
      rule: { metric: 'bitrate', streams: ['video_sent'], when: 'below', threshold: '500kbps' },
      breach: { streams: { video_input: { bitrate: 400_000 } } },
      ok: { streams: { video_input: { bitrate: 1_000_000 } } },
    },
    {
      name: 'bitrate below 1.5Mbps',
      rule: { metric: 'bitrate', streams: ['video_sent'], when: 'below', threshold: '1.5Mbps' },
      breach: { streams: { video_input: { bitrate: 1_400_000 } } },
      ok: { streams: { video_input: { bitrate: 1_600_000 } } },
    },
    {
      name: 'frame rate below 10fps',
      rule: { metric: 'frame_rate', streams: ['video_sent'], when: 'below', threshold: '10fps' },
      breach: { streams: { video_input: { frameRate: 4 } } },
      ok: { streams: { video_input: { frameRate: 24 } } },
    },
    {
      name: 'resolution below 360p',
      rule: { metric: 'resolution', streams: ['any_video'], when: 'below', threshold: '360p' },
      breach: { streams: { video_output: { width: 320, height: 180 } } },
      ok: { streams: { video_output: { width: 640, height: 360 } } },
    },
    {
      name: 'zoom CPU above 90%',
      rule: { metric: 'cpu_zoom_avg', when: 'above', threshold: '90%' },
      breach: { streams: {}, cpu: { zoomAvg: 0.95 } },
      ok: { streams: {}, cpu: { zoomAvg: 0.5 } },
    },
    {
      name: 'zoom max CPU above 90%',
      rule: { metric: 'cpu_zoom_max', when: 'above', threshold: '90%' },
      breach: { streams: {}, cpu: { zoomMax: 0.99 } },
      ok: { streams: {}, cpu: { zoomMax: 0.2 } },
    },
    {
      name: 'system CPU above 95%',
      rule: { metric: 'cpu_system_max', when: 'above', threshold: '95%' },
      breach: { streams: {}, cpu: { systemMax: 1 } },
      ok: { streams: {}, cpu: { systemMax: 0.5 } },
    },
    {
      name: 'CPU pressure above fair',
      rule: { metric: 'cpu_pressure', when: 'above', threshold: 'fair' },
      breach: { streams: {}, cpuPressure: { avg: 'serious' } },
      ok: { streams: {}, cpuPressure: { avg: 'fair' } },
    },
    {
      name: 'Wi-Fi RSSI below -70dBm',
      rule: { metric: 'wifi_rssi', when: 'below', threshold: '-70dBm' },
      breach: { streams: {}, wifi: { avg: -80 } },
      ok: { streams: {}, wifi: { avg: -60 } },
    },
  ];
  it.each(cases)('$name', ({ rule, breach, ok }) => {
    const e = engineWith([{ name: 'r', ...rule }]);
    expect(feed(e, [sample('a', 0, ok.streams, ok)])).toEqual([]);
    expect(states(feed(e, [sample('a', 1, breach.streams, breach)]))).toEqual(['r:firing']);
  });

  it('takes the worst stream by default, or the average when asked', () => {
    const worst = engineWith([
      { name: 'w', metric: 'latency', streams: ['any_audio'], when: 'above', threshold: '300ms' },
    ]);
    const avg = engineWith([
      {
        name: 'a',
        metric: 'latency',
        streams: ['any_audio'],
        when: 'above',
        threshold: '300ms',
        aggregate: 'avg',
      },
    ]);
    const s = sample('p', 0, { audio_input: { latency: 0.5 }, audio_output: { latency: 0.05 } });
    const [c] = feed(worst, [s]);
    expect(c!.alert.context.stream).toBe('audio_input');
    expect(feed(avg, [s])).toEqual([]);
  });
});

describe('lifecycle', () => {
  it('goes pending, fires after `for` in sample time, and resolves', () => {
    const e = engineWith([latencyRule]);
    const out = feed(
      e,
      [0, 1, 2, 3].map((m) => sample('a', m, { audio_input: { latency: 0.4 } })),
    );
    expect(states(out)).toEqual(['lat:pending', 'lat:firing']);
    expect(out[1]!.alert).toMatchObject({
      since: T,
      firingSince: T + 2 * MIN,
      valueText: '400 ms',
      thresholdText: '> 300 ms',
    });
    const r = feed(e, [sample('a', 4, { audio_input: { latency: 0.1 } })]);
    expect(r[0]!.alert).toMatchObject({ state: 'resolved', reason: 'recovered', resolvedAt: T + 4 * MIN });
  });

  it('holds between the threshold and the recovery threshold (hysteresis) and needs the recovery duration', () => {
    const e = engineWith([{ ...latencyRule, for: '0', recovery: { threshold: '200ms', for: '2m' } }]);
    expect(states(feed(e, [sample('a', 0, { audio_input: { latency: 0.4 } })]))).toEqual(['lat:firing']);
    expect(
      feed(
        e,
        [1, 2, 3].map((m) => sample('a', m, { audio_input: { latency: 0.25 } })),
      ),
    ).toEqual([]);
    expect(
      feed(
        e,
        [4, 5].map((m) => sample('a', m, { audio_input: { latency: 0.15 } })),
      ),
    ).toEqual([]);
    expect(states(feed(e, [sample('a', 6, { audio_input: { latency: 0.15 } })]))).toEqual(['lat:resolved']);
  });

  it('neither fires nor resolves on missing data', () => {
    const e = engineWith([{ ...latencyRule, for: '0' }]);
    feed(e, [sample('a', 0, { audio_input: { latency: 0.4 } })]);
    expect(feed(e, [sample('a', 1, { audio_input: { jitter: 0.01 } }), sample('a', 2, {})])).toEqual([]);
    expect(e.active().map((a) => a.state)).toEqual(['firing']);
  });

  it('lists active alerts by id in code-unit order, whatever the machine locale', () => {
    const e = engineWith([{ ...latencyRule, for: '0' }]);
    const bad = { audio_input: { latency: 0.4 } };
    feed(e, [sample('a', 0, bad), sample('B', 0, bad), sample('b', 0, bad)]);
    // localeCompare (en) put a before B; ids are not words: B (0x42) comes before a (0x61).
    expect(e.active().map((a) => a.context.participantKey)).toEqual(['B', 'a', 'b']);
  });

  it('starts the clock again after a gap longer than the tolerance', () => {
    const e = engineWith([latencyRule], 3 * MIN);
    feed(e, [
      sample('a', 0, { audio_input: { latency: 0.4 } }),
      sample('a', 1, { audio_input: { latency: 0.4 } }),
    ]);
    expect(feed(e, [sample('a', 10, { audio_input: { latency: 0.4 } })])).toEqual([]); // gap of 9m: pending again from 10
    expect(e.active()[0]!.since).toBe(T + 10 * MIN);
    expect(states(feed(e, [sample('a', 12, { audio_input: { latency: 0.4 } })]))).toEqual(['lat:firing']);
  });

  it('resolves with reason left, or ended, and drops pending alerts silently', () => {
    const e = engineWith([
      { ...latencyRule, for: '0' },
      { name: 'pend', streams: ['any'], metric: 'jitter', when: 'above', threshold: '10ms', for: '10m' },
    ]);
    feed(e, [
      sample('a', 0, { audio_input: { latency: 0.4, jitter: 0.05 } }),
      sample('b', 0, { audio_input: { latency: 0.4 } }, { instance: 'm2' }),
    ]);
    const left = e.handle({
      type: 'left',
      instance: { kind: 'meeting', id: 'm1', uuid: 'm1', topic: '' },
      participant: 'a',
      at: T + MIN,
    });
    expect(left.map((c) => `${c.alert.rule}:${c.alert.state}:${c.alert.reason}`)).toEqual([
      'lat:resolved:left',
    ]);
    const gone = e.handle({
      type: 'polled',
      instance: { kind: 'meeting', id: 'm2', uuid: 'm2', topic: '' },
      present: ['someone-else'],
      at: T + MIN,
    });
    expect(gone.map((c) => c.alert.reason)).toEqual(['left']);
    feed(e, [sample('c', 2, { audio_input: { latency: 0.4 } }, { instance: 'm3' })]);
    const ended = e.handle({
      type: 'ended',
      instance: { kind: 'meeting', id: 'm3', uuid: 'm3', topic: '' },
      at: T + 3 * MIN,
    });
    expect(ended.map((c) => c.alert.reason)).toEqual(['ended']);
    expect(e.active()).toEqual([]);
  });

  it('ends the alerts of instances no longer live (reconcile after a restart)', () => {
    const e = engineWith([{ ...latencyRule, for: '0' }]);
    feed(e, [
      sample('a', 0, { audio_input: { latency: 0.4 } }, { instance: 'gone' }),
      sample('b', 0, { audio_input: { latency: 0.4 } }, { instance: 'live' }),
    ]);
    const out = e.reconcile(new Set(['meeting:live']), T + MIN);
    expect(out.map((c) => `${c.alert.labels.participant}:${c.alert.reason}`)).toEqual(['a:ended']);
  });
});

describe('restart', () => {
  it('restores state: a firing alert neither fires again nor is forgotten, and old samples are ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-state-'));
    const store = new AlertStateStore(dir);
    const e1 = engineWith([latencyRule]);
    feed(
      e1,
      [0, 1, 2].map((m) => sample('a', m, { audio_input: { latency: 0.4 } })),
    );
    expect(e1.active()[0]!.state).toBe('firing');
    store.save(e1.state, new Map());

    const e2 = new RuleEngine(
      e1.ruleList as never,
      { gapToleranceMs: 5 * MIN },
      restoredState(store.load().series),
    );
    // Zoom repeats the last minutes after a restart: nothing fires again.
    expect(
      feed(
        e2,
        [0, 1, 2, 3].map((m) => sample('a', m, { audio_input: { latency: 0.4 } })),
      ),
    ).toEqual([]);
    expect(e2.active()).toMatchObject([{ state: 'firing', firingSince: T + 2 * MIN }]);
    expect(states(feed(e2, [sample('a', 4, { audio_input: { latency: 0.1 } })]))).toEqual(['lat:resolved']);
  });
});

describe('labels an alert fired with', () => {
  /** m1's sample as pushed before discovery listed it (the UUID as its number), or after. */
  const at = (m: number, latency: number, listed: boolean): QosSample => {
    const s = sample('a', m, { audio_input: { latency } });
    s.instance = listed ? { ...s.instance, id: '8300' } : { ...s.instance, id: s.instance.uuid, topic: '' };
    return s;
  };

  it('are kept until it resolves, across a restart, when its instance number and topic become known', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-state-'));
    const store = new AlertStateStore(dir);
    const e1 = engineWith([{ ...latencyRule, labels: { team: 'noc' } }]);
    const fired = feed(
      e1,
      [0, 1, 2].map((m) => at(m, 0.4, false)),
    ).filter((c) => c.state === 'firing');
    expect(fired.map((c) => [c.alert.labels.instance, c.alert.labels.instance_uuid])).toEqual([['m1', 'm1']]);
    const labels = fired[0]!.alert.labels;
    // Discovery lists it: the context has the number and topic, the labels stay.
    expect(feed(e1, [at(3, 0.4, true)])).toEqual([]);
    expect(e1.active()[0]!.labels).toEqual(labels);
    expect(e1.active()[0]!.context).toMatchObject({ instanceId: '8300', topic: 'Topic m1' });
    store.save(e1.state, new Map());

    // Restarted with the rule's labels changed: the alert still resolves with the labels it fired with.
    const e2 = new RuleEngine(
      rulesFrom([{ ...latencyRule, labels: { team: 'ops' } }]),
      { gapToleranceMs: 5 * MIN },
      restoredState(store.load().series),
    );
    const [resolved] = feed(e2, [at(4, 0.1, true)]);
    expect(resolved!.state).toBe('resolved');
    expect(resolved!.alert.labels).toEqual(labels);
    // Its next firing takes the labels of now.
    const again = feed(
      e2,
      [5, 6, 7].map((m) => at(m, 0.4, true)),
    ).filter((c) => c.state === 'firing');
    expect(again.map((c) => [c.alert.labels.instance, c.alert.labels.team])).toEqual([['8300', 'ops']]);
  });
});

describe('scopes', () => {
  const loss = { streams: ['any_audio'], metric: 'avg_loss', when: 'above' as const, threshold: '5%' };
  const bad = { audio_input: { avgLoss: 0.09 } };
  const good = { audio_input: { avgLoss: 0.001 } };

  it('instance: fires on a count of participants, with a minimum participant count', () => {
    const e = engineWith([
      { name: 'inst', scope: 'instance', ...loss, breaching: { count: 2 }, min_participants: 3 },
    ]);
    expect(e.handle({ type: 'samples', samples: [sample('a', 0, bad), sample('b', 0, bad)] })).toEqual([]); // two participants only
    const out = e.handle({
      type: 'samples',
      samples: [sample('a', 1, bad), sample('b', 1, bad), sample('c', 1, good)],
    });
    expect(out[0]!.alert).toMatchObject({
      state: 'firing',
      scope: 'instance',
      valueText: '2 of 3 participants (67%)',
      context: { breaching: 2, participants: 3 },
    });
  });

  it('instance: fires on a ratio, and resolves when it falls', () => {
    const e = engineWith([{ name: 'inst', scope: 'instance', ...loss, breaching: { ratio: '50%' } }]);
    expect(
      states(
        e.handle({
          type: 'samples',
          samples: [sample('a', 0, bad), sample('b', 0, bad), sample('c', 0, good), sample('d', 0, good)],
        }),
      ),
    ).toEqual(['inst:firing']);
    expect(
      states(
        e.handle({
          type: 'samples',
          samples: [sample('a', 1, bad), sample('b', 1, good), sample('c', 1, good), sample('d', 1, good)],
        }),
      ),
    ).toEqual(['inst:resolved']);
  });

  it('shared cause: one incident per data center across meetings, muting the participant alerts it explains', () => {
    const e = engineWith([
      {
        name: 'dc',
        scope: 'shared_cause',
        group_by: 'data_center',
        ...loss,
        breaching: { ratio: '30%' },
        min_participants: 4,
        mute_participant_alerts: true,
      },
      { name: 'p', ...loss },
    ]);
    const batch1 = [
      sample('a', 0, bad, { instance: 'm1', dc: 'NY' }),
      sample('b', 0, bad, { instance: 'm1', dc: 'NY' }),
    ];
    const batch2 = [
      sample('c', 0, good, { instance: 'm2', dc: 'NY' }),
      sample('d', 0, bad, { instance: 'm2', dc: 'NY' }),
      sample('e', 0, bad, { instance: 'm2', dc: 'SC' }),
    ];
    const out = [
      ...e.handle({ type: 'samples', samples: batch1 }),
      ...e.handle({ type: 'samples', samples: batch2 }),
    ];
    const incident = out.filter((c) => c.alert.rule === 'dc');
    expect(incident.map((c) => [c.alert.state, c.alert.labels.data_center])).toEqual([['firing', 'NY']]);
    const byParticipant: Record<string, string | undefined> = Object.fromEntries(
      out
        .filter((c) => c.alert.rule === 'p')
        .map((c) => [c.alert.labels.participant ?? '', c.alert.inhibitedBy]),
    );
    // a and b fired before the incident; when it fires, a change links them to it.
    expect(byParticipant).toEqual({ a: 'dc|NY', b: 'dc|NY', d: 'dc|NY', e: undefined });
    expect(out.filter((c) => c.alert.labels.participant === 'a').map((c) => c.alert.inhibitedBy)).toEqual([
      undefined,
      'dc|NY',
    ]);
    // Once the incident fires, every NY participant alert says it is explained.
    expect(
      e
        .active()
        .filter((a) => a.rule === 'p' && a.context.dataCenter === 'NY')
        .every((a) => a.inhibitedBy === 'dc|NY'),
    ).toBe(true);
  });
});

describe('filters', () => {
  const base = { streams: ['any_audio'], metric: 'latency', when: 'above' as const, threshold: '300ms' };
  const s = (extra: Parameters<typeof sample>[3]): QosSample =>
    sample('alice', 0, { audio_input: { latency: 0.5 } }, extra);
  const cases: {
    name: string;
    filters: Record<string, string | string[]>;
    hit: QosSample;
    miss: QosSample;
  }[] = [
    {
      name: 'network type list',
      filters: { network_type: ['Wifi', 'Cellular'] },
      hit: s({}),
      miss: s({ context: { networkType: 'Wired' } }),
    },
    { name: 'data center', filters: { data_center: 'NY' }, hit: s({ dc: 'NY' }), miss: s({ dc: 'SC' }) },
    {
      name: 'location glob',
      filters: { location: 'San Jose*' },
      hit: s({}),
      miss: s({ context: { location: 'Austin (US)' } }),
    },
    { name: 'device', filters: { device: ['Mac'] }, hit: s({}), miss: s({ context: { device: 'iOS' } }) },
    {
      name: 'client version regex',
      filters: { client_version: '/^5\\./' },
      hit: s({ context: { version: '5.17.11' } }),
      miss: s({}),
    },
    { name: 'topic glob', filters: { topic: '*m1' }, hit: s({}), miss: s({ instance: 'board' }) },
    { name: 'instance id', filters: { instance: ['vip-1'] }, hit: s({ instance: 'vip-1' }), miss: s({}) },
    {
      name: 'participant by email',
      filters: { participant: ['alice@example.com'] },
      hit: s({}),
      miss: { ...s({}), participant: { key: 'z', name: 'Z', email: 'z@x', ip: '' } },
    },
  ];
  it.each(cases)('$name', ({ filters, hit, miss }) => {
    const e = engineWith([{ name: 'f', ...base, filters }]);
    expect(feed(e, [miss])).toEqual([]);
    expect(states(feed(e, [{ ...hit, time: hit.time + MIN }]))).toEqual(['f:firing']);
  });

  // docs/rules.md's zoom-rates-audio-poor: Zoom's verdict clears when the audio is good again.
  it('a join its filters stop matching resolves its firing alert and cancels a pending one', () => {
    const rule = { name: 'f', ...base, for: '2m', filters: { audio_quality: ['poor', 'bad'] } };
    const poor = { context: { audioQuality: 'poor' } };
    const good = { context: { audioQuality: 'good' } };
    const e = engineWith([rule]);
    const bad = { audio_input: { latency: 0.5 } };
    feed(e, [sample('alice', 0, bad, poor), sample('alice', 2, bad, poor), sample('bob', 1, bad, poor)]);
    expect(e.active().map((a) => `${a.context.participantKey}:${a.state}`)).toEqual([
      'alice:firing',
      'bob:pending',
    ]);
    const changes = feed(e, [
      sample('alice', 3, { audio_input: { latency: 0.05 } }, good),
      sample('bob', 3, bad, good),
    ]);
    expect(
      changes.map((c) => `${c.alert.context.participantKey}:${c.state}:${c.alert.reason ?? ''}`),
    ).toEqual(['alice:resolved:recovered']);
    expect(e.active()).toEqual([]);
    // Still out of scope, still breaching: nothing starts again.
    expect(feed(e, [sample('bob', 4, bad, good), sample('bob', 6, bad, good)])).toEqual([]);
    expect(e.active()).toEqual([]);
  });

  it('sources restrict the kinds', () => {
    const e = engineWith([{ name: 'f', ...base, sources: ['webinar'] }]);
    expect(feed(e, [s({})])).toEqual([]);
  });
});

describe('alerts carry what a human needs', () => {
  it('labels, rendered annotations, and context', () => {
    const e = engineWith([
      {
        ...latencyRule,
        for: '0',
        severity: 'critical',
        labels: { team: 'noc' },
        annotations: {
          summary:
            '{{participant}} ({{device}}, {{network_type}}, DC {{data_center}}) {{value}} {{threshold}} in {{topic}} <b>',
        },
      },
    ]);
    const [c] = feed(e, [sample('bob', 0, { audio_output: { latency: 0.45 } })]);
    expect(c!.alert.labels).toEqual({
      alertname: 'lat',
      severity: 'critical',
      scope: 'participant',
      kind: 'meeting',
      instance: 'm1',
      // The call itself (the test's instances have their number as UUID too).
      instance_uuid: 'm1',
      participant: 'bob',
      team: 'noc',
    });
    expect(c!.alert.annotations.summary).toBe('BOB (Mac, Wifi, DC SC) 450 ms > 300 ms in Topic m1 <b>'); // no escaping here
    expect(c!.alert.context).toMatchObject({
      participant: 'BOB',
      participantKey: 'bob',
      location: 'San Jose (US)',
      stream: 'audio_output',
    });
  });

  it('names a participant without a name (guest, HIPAA) as a guest with its join and device, never a bare number', () => {
    const e = engineWith([{ ...latencyRule, for: '0' }]);
    const s = sample('16778244', 0, { audio_input: { latency: 0.5 } });
    s.participant.name = '';
    expect(feed(e, [s])[0]!.alert.context.participant).toBe('Guest 16778244 (Mac, Wi-Fi)');
  });
});
