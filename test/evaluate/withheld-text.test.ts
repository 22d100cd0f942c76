import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { withheldLeaveReason } from '../../src/evaluate/withheld.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { MIN, rulesFrom, sample } from '../helpers/rules.js';

/**
 * Zoom's free texts that can carry a participant's name: leave_reason ("Rea left the meeting.
 * <br>Reason: Host closed the meeting.", its own words) and the device names people give their
 * headsets and cameras. Old code: withheld only the name and the location, so /api/v1/alerts
 * (no basic auth, no participant_identity_labels) showed "Dojo" inside leave_reason and
 * "Dojo's AirPods" in the context, the annotations, a group's label, its id and the explanation.
 */
const rules = rulesFrom([
  {
    name: 'lat',
    metric: 'latency',
    when: 'above',
    threshold: '300ms',
    streams: ['any_audio'],
    annotations: { summary: 'left: {{leave_reason}}; mic {{microphone}}; cam {{camera}}; out {{speaker}}' },
  },
  {
    name: 'by-mic',
    scope: 'shared_cause',
    group_by: 'microphone',
    metric: 'latency',
    when: 'above',
    threshold: '300ms',
    streams: ['any_audio'],
    breaching: { count: 1 },
    min_participants: 1,
    explains: true,
    annotations: { summary: 'microphone {{group}}' },
  },
]);

const dojo = (m: number): QosSample =>
  sample(
    'dojo',
    m,
    { audio_input: { latency: 0.5 } },
    {
      context: {
        leaveReason: 'Dojo left the meeting.<br>Reason: Host closed the meeting.',
        microphone: "Dojo's AirPods Pro",
        speaker: "Dojo's AirPods Pro",
        camera: "Dojo's iPhone Camera",
      },
    },
  );

describe("Zoom's free texts in alerts shown without the identity opt-in", () => {
  it('withholds the name in leave_reason and the device names, in context, annotations, labels, ids and explanations', () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    for (let m = 0; m < 3; m++) engine.handle({ type: 'samples', samples: [dojo(m)] });
    const withheld = engine.active(true);
    expect(withheld.map((a) => a.rule).sort()).toEqual(['by-mic', 'lat']);
    expect(JSON.stringify(withheld)).not.toMatch(/Dojo|DOJO|AirPods|iPhone/);
    const lat = withheld.find((a) => a.rule === 'lat')!;
    expect(lat.annotations.summary).toBe(
      'left: Host closed the meeting.; mic [withheld]; cam [withheld]; out [withheld]',
    );
    expect(lat.context.leaveReason).toBe('Host closed the meeting.');
    const group = withheld.find((a) => a.rule === 'by-mic')!;
    expect([group.id, group.labels.microphone, group.annotations.summary]).toEqual([
      'by-mic|[withheld]',
      '[withheld]',
      'microphone [withheld]',
    ]);
    expect(lat.explanation).toBe('explained by by-mic|[withheld]: dojo is in microphone [withheld]');
    // With the opt-in (or basic auth) everything is shown as Zoom gave it.
    const shown = engine.active(false).find((a) => a.rule === 'lat')!;
    expect(shown.annotations.summary).toBe(
      "left: Dojo left the meeting.<br>Reason: Host closed the meeting.; mic Dojo's AirPods Pro; cam Dojo's iPhone Camera; out Dojo's AirPods Pro",
    );
  });

  it.each([
    ['Rea left the meeting.<br>Reason: Host closed the meeting.', 'Host closed the meeting.'],
    ['Dojo left the meeting.<br>Reason: Host ended the meeting.', 'Host ended the meeting.'],
    ['Rea left the meeting.', 'left the meeting.'],
    ['Rea Smith got disconnected from the webinar.', 'got disconnected from the webinar.'],
    ['Host ended the webinar.', 'Host ended the webinar.'],
    ['Removed by host', 'Removed by host'],
    ['Network connection error.', 'Network connection error.'],
    ['Rea was removed by Bob', '[withheld]'],
    ['x<br>Reason: Rea rang', '[withheld]'],
    ['Rea left.<br>Reason: Rea rang<br>Reason: Removed by host.', 'Removed by host.'],
  ])('leave_reason %j is shown as %j', (text, shown) => {
    expect(withheldLeaveReason(text)).toBe(shown);
  });
});
