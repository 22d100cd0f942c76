import { describe, expect, it } from 'vitest';
import { since, who } from '../../src/notify/plugins/format.js';
import { title, type Notification } from '../../src/notify/plugins/notification.js';
import { humanDuration, plural, possessive, shareOf } from '../../src/util/words.js';
import { alert, notification, NOW } from '../helpers/alerts.js';

describe('since: sample time, and how old the data is', () => {
  it.each([
    { name: 'fresh data', over: { lastSampleAt: NOW - 30_000 }, text: '2026-05-04T09:28:00Z (2 min so far)' },
    {
      name: 'data six minutes old says so',
      over: { lastSampleAt: NOW - 6 * 60_000 },
      text: '2026-05-04T09:28:00Z (2 min so far); newest data 6 min old',
    },
    {
      name: 'a replayed clock does not inflate the duration',
      over: { lastSampleAt: NOW - 2 * 365 * 86_400_000, since: NOW - 2 * 365 * 86_400_000 - 120_000 },
      text: '2024-05-04T09:28:00Z (2 min so far); newest data 730 d old',
    },
    {
      name: 'resolved: how long it breached, no "so far"',
      over: { state: 'resolved' as const, durationMs: 7 * 60_000, lastSampleAt: NOW - 10 * 60_000 },
      text: '2026-05-04T09:28:00Z (7 min)',
    },
  ])('$name', ({ over, text }) => {
    expect(since(alert(over), NOW)).toBe(text);
  });
});

describe('words', () => {
  it.each([
    [plural(1, 'participant'), '1 participant'],
    [plural(7, 'participant'), '7 participants'],
    [shareOf(2, 7), '2 of 7 participants'],
    [shareOf(7, 7), 'all 7 participants'],
    [shareOf(2, 2), 'both participants'],
    [shareOf(1, 1), 'the only participant'],
    [shareOf(0, 7), 'none of the 7 participants'],
    [shareOf(0, 1), '0 of 1 participant'],
    [humanDuration(45_000), '45 s'],
    [humanDuration(7 * 60_000), '7 min'],
    [humanDuration(65 * 60_000), '1 h 5 min'],
    [possessive('Bob Okafor'), "Bob Okafor's"],
    [possessive('James Ross'), "James Ross'"],
    [possessive('Bob Okafor (iPhone)'), "Bob Okafor's (iPhone)"],
    [possessive('Guest 16781312 (Windows, Wi-Fi)'), "Guest 16781312's (Windows, Wi-Fi)"],
  ])('%s', (got, want) => expect(got).toBe(want));

  it('a group alert says its count in words', () => {
    const a = alert({ context: { group: 'NY', groupBy: 'data_center', breaching: 1, participants: 1 } });
    expect(who(a)).toBe('data_center NY: the only participant');
  });

  it.each([
    {
      breaching: 7,
      participants: 30,
      firing: 'data_center NY: 7 of 30 participants',
      resolved: 'data_center NY: 23 of 30 participants recovered',
    },
    {
      breaching: 0,
      participants: 7,
      firing: 'data_center NY: none of the 7 participants',
      resolved: 'data_center NY: all 7 participants recovered',
    },
  ])(
    'a group alert says who breaches when firing, and who recovered when resolved ($breaching of $participants)',
    ({ breaching, participants, firing, resolved }) => {
      const context = { group: 'NY', groupBy: 'data_center', breaching, participants };
      expect(who(alert({ context }))).toBe(firing);
      expect(who(alert({ context, state: 'resolved' }))).toBe(resolved);
    },
  );

  it.each([
    [1, 'qoswatch held back 1 notification'],
    [3, 'qoswatch held back 3 notifications'],
  ])('a rate-cap summary of %i says it in words', (count, text) => {
    const n: Notification = {
      id: 's',
      receiver: 'mail',
      groupKey: 'mail|summary',
      groupLabels: {},
      kind: 'summary',
      firing: [],
      resolved: [],
      createdAt: NOW,
      heldBack: { count, since: NOW, alerts: count },
    };
    expect(title(n)).toBe(text);
  });
});

describe('a meeting whose topic is unknown yet (pushed before anything named it)', () => {
  const uuid = '4444AAAiAAAAAiAiAiiAii==';
  const unnamed = alert({ meeting: uuid });
  unnamed.context = { ...unnamed.context, topic: '' };
  const meeting = alert({
    meeting: uuid,
    scope: 'instance',
    context: { kind: 'meeting', instanceId: uuid, uuid, topic: '', breaching: 1, participants: 3 },
  });

  it('is named by its kind and UUID in who and the title, never `in ""`', () => {
    expect(who(unnamed)).toBe(`bob in meeting ${uuid}`);
    expect(who(meeting)).toBe(`meeting ${uuid} (1 of 3 participants)`);
    expect(title(notification({ firing: [unnamed] }))).toBe(
      `[FIRING:1] audio-latency-high in meeting ${uuid}`,
    );
  });

  it('a named one keeps its topic', () => {
    expect(who(alert())).toBe('bob in "Weekly sync"');
    expect(title(notification({ firing: [alert()] }))).toBe('[FIRING:1] audio-latency-high in "Weekly sync"');
  });
});
