import type { ParticipantContext, QosSample } from '../normalize/sample.js';
import { shownKey } from '../normalize/zoom-text.js';

const NETWORK: Record<string, string> = { wifi: 'Wi-Fi', wired: 'Wired', cellular: 'Cellular', ppp: 'PPP' };

/** Zoom's network type as people write it ("Wifi" -> "Wi-Fi", "wired" -> "Wired"). */
export const networkName = (n: string): string => NETWORK[n.toLowerCase()] ?? n;

/**
 * What tells one device of a participant from another: the device (and, once the sample
 * carries it, the OS), else the join id. Hook: when joins of one person are linked by
 * account, this is where the device words come from.
 */
export function deviceWords(s: Pick<QosSample, 'context' | 'participant'>): string {
  const c = s.context as QosSample['context'] & { os?: string };
  const words = [c.device, c.os && c.os !== c.device ? c.os : undefined].filter(Boolean);
  return words.length ? words.join(', ') : `join ${shownKey(s.participant.key)}`;
}

/**
 * Who a participant is, for people: the name Zoom gives, else (guests and HIPAA accounts, whose
 * `user_name` Zoom leaves empty) "Guest 16781312 (Windows, Wi-Fi)": the join id, device and
 * network, never a bare number. The one naming of alerts, reports and `inspect`; its possessive
 * reads "Guest 16781312's (Windows, Wi-Fi) audio loss", as "Bob Okafor's (iPhone)" does.
 */
export function displayName(
  name: string,
  key: string,
  c: Pick<ParticipantContext, 'device' | 'networkType'>,
): string {
  const trimmed = name.trim();
  if (trimmed) return trimmed;
  const parts = [c.device, c.networkType && networkName(c.networkType)].filter(Boolean);
  return `Guest ${shownKey(key)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/**
 * The name an alert shows for a participant ({@link displayName}). `otherDevices` says the same
 * name is in the meeting from another device too: then the device is named, "Bob Okafor (iPhone)".
 */
export function participantName(s: Pick<QosSample, 'context' | 'participant'>, otherDevices = false): string {
  const name = s.participant.name.trim();
  if (name && otherDevices) return `${name} (${withoutOwner(deviceWords(s), name)})`;
  return displayName(name, s.participant.key, s.context);
}

/**
 * Zoom's device name often holds its owner's name ("Ana Diaz's Mac", "Ana Diaz’s iPhone"):
 * beside the name it reads "Ana Diaz (Mac)", not "Ana Diaz (Ana Diaz's Mac)".
 */
function withoutOwner(device: string, name: string): string {
  const lower = device.toLowerCase();
  for (const owner of [`${name}'s `, `${name}’s `, `${name}s `, `${name} `])
    if (lower.startsWith(owner.toLowerCase()) && device.length > owner.length)
      return device.slice(owner.length);
  return device;
}
