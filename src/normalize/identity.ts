/**
 * Who an entry of a Zoom answer is. Zoom gives each *join* its own `user_id` (a rejoin or a
 * second device is a new entry with a new `user_id`); `id` is the user's *account* id, the same
 * on every join of that user and empty for guests, so it is never unique in a list. Video SDK
 * users carry their per-session id in `id` and the app's own user identity in `user_key`.
 */

import type { SourceKind } from './sample.js';
import { str, visible } from './zoom-text.js';

type Raw = Record<string, unknown>;

/**
 * The key of one join within its instance; empty when there is none (the entry is then counted
 * and skipped). Meetings and webinars: `user_id` (`qos_summary` answers: `participant_id`, the
 * same value); never the account `id`, which every join of a user shares, nor `participant_uuid`,
 * which no endpoint documents as per-join. Video SDK sessions: `id`, the user's per-session id.
 */
export function joinKey(raw: Raw, kind: SourceKind): string {
  const key = writtenKey(raw, kind);
  return usableKey(key) ? key : '';
}

/**
 * The join key as Zoom wrote it, usable or not: a summary's `participant_id` when `user_id` is
 * missing or unusable (blank: taking the blank dropped an entry its `participant_id` names).
 */
const writtenKey = (raw: Raw, kind: SourceKind): string => {
  if (kind === 'session') return str(raw.id);
  const user = str(raw.user_id);
  if (usableKey(user)) return user;
  const participant = str(raw.participant_id);
  return usableKey(participant) ? participant : user || participant;
};

/**
 * A key that names a join: not blank (`"  "`), no control character (NUL, a line break, C1). Such
 * a key was taken as any other: every blank-keyed entry was one "join", and a NUL went into the
 * alert ids and the state files.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what is refused
const usableKey = (key: string): boolean => key.trim() !== '' && !/[\u0000-\u001f\u007f-\u009f]/.test(key);

/**
 * Why an entry has no join key (joinKey gave ''): `bad_join_key` when one is written but is
 * blank or holds a control character, `no_participant_id` when there is none.
 */
export const noKeyReason = (raw: Raw, kind: SourceKind): 'bad_join_key' | 'no_participant_id' =>
  writtenKey(raw, kind) === '' ? 'no_participant_id' : 'bad_join_key';

/**
 * What links the joins of one person: the account `id` (only when the entry also has its own
 * `user_id`, so `id` is not the join key itself), else `participant_user_id`, else the Video SDK
 * `user_key`. Undefined for guests: each of their joins is a new person.
 */
export function personKey(raw: Raw): string | undefined {
  const account = str(raw.user_id) || str(raw.participant_id) ? str(raw.id) : '';
  return account || str(raw.participant_user_id) || str(raw.user_key) || undefined;
}

/** The device a join runs on, for telling two devices of one person apart. */
export function deviceLabel(raw: Raw): string {
  return visible(str(raw.device_name) || str(raw.device) || str(raw.os));
}

/**
 * The keys a QoS entry and a participants-list entry are matched on, in the order they are
 * tried: `user_id`, then `participant_user_id`, then `participant_uuid`; never `id` alone.
 */
export function contextKeys(raw: Raw): string[] {
  const keys: string[] = [];
  for (const field of ['user_id', 'participant_user_id', 'participant_uuid']) {
    const v = str(raw[field]);
    if (v) keys.push(`${field}:${v}`);
  }
  return keys;
}
