import { describe, expect, it } from 'vitest';
import { joinKey, noKeyReason } from '../../src/normalize/identity.js';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import type { InstanceRef, SourceKind } from '../../src/normalize/sample.js';
import { NormalizeStats } from '../../src/normalize/stats.js';

/**
 * Outside test (stop 39): a meeting QoS entry without `user_id` was keyed by its account `id`
 * (after `participant_uuid`), so two devices of one user (both `id: "acct-ann"`, no `user_id`)
 * became one join "acct-ann": the second was dropped as a repeat and nothing said so. Zoom's
 * `id` is the account id, shared by every join of a user (zoom-api/README.md); `participant_uuid`
 * is documented as per-join nowhere. Only `user_id` (`participant_id` in summaries) keys a meeting
 * or webinar join; a Video SDK user is keyed by `id`, its per-session id.
 */
const ref = (kind: SourceKind): InstanceRef => ({ kind, id: '1', uuid: 'u==', topic: 't' });
const entry = (
  device: string,
  latency: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  id: 'acct-ann',
  device,
  user_qos: [{ date_time: '2026-12-05T05:00:00Z', audio_input: { latency } }],
  ...extra,
});

describe('the key of a join', () => {
  it.each(['meeting', 'webinar'] as const)(
    '%s: an entry with only the account id has none: counted, skipped',
    (kind) => {
      const stats = new NormalizeStats();
      const mac = entry('Mac', '900 ms');
      const phone = entry('iPhone', '20 ms', { participant_uuid: 'D444CD06-2ABB-2FCC-019B-39E41D8DADF7' });
      expect(joinKey(mac, kind)).toBe('');
      expect(joinKey(phone, kind)).toBe('');
      expect([
        ...normalizeParticipant(ref(kind), mac, {}, stats),
        ...normalizeParticipant(ref(kind), phone, {}, stats),
      ]).toEqual([]);
      expect(stats.samplesInvalid).toBe(2);
    },
  );

  it('meetings: user_id, else a summary’s participant_id; two devices of one account stay two joins', () => {
    const stats = new NormalizeStats();
    const samples = [
      ...normalizeParticipant(ref('meeting'), entry('Mac', '900 ms', { user_id: '16778240' }), {}, stats),
      ...normalizeParticipant(ref('meeting'), entry('iPhone', '20 ms', { user_id: '16779264' }), {}, stats),
    ];
    expect(
      samples.map((s) => [s.participant.key, s.participant.person, s.streams.audio_input?.latency]),
    ).toEqual([
      ['16778240', 'acct-ann', 0.9],
      ['16779264', 'acct-ann', 0.02],
    ]);
    expect(joinKey({ id: 'acct-ann', participant_id: '20161536' }, 'meeting')).toBe('20161536');
    // A blank or control-character user_id: the participant_id, when usable (reviewer, stop 41:
    // the entry was dropped as bad_join_key).
    expect(joinKey({ user_id: '  ', participant_id: '20161536' }, 'meeting')).toBe('20161536');
    expect(joinKey({ user_id: 'a\u0000b', participant_id: '20161536' }, 'webinar')).toBe('20161536');
    expect(joinKey({ user_id: '  ', participant_id: '\n' }, 'meeting')).toBe('');
    expect(noKeyReason({ user_id: '  ', participant_id: '\n' }, 'meeting')).toBe('bad_join_key');
  });

  it('Video SDK sessions: the per-session id', () => {
    const [s] = normalizeParticipant(
      ref('session'),
      entry('Mac', '900 ms', { user_key: 'app-ann' }),
      {},
      new NormalizeStats(),
    );
    expect(s!.participant.key).toBe('acct-ann');
    expect(s!.participant.person).toBe('app-ann');
    expect(joinKey({ user_key: 'app-ann' }, 'session')).toBe('');
  });
});
