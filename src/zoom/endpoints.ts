import type { Category } from './limits.js';
import { ZoomError } from './errors.js';
import { REPORT_ENDPOINTS } from './report-endpoints.js';

/** A Zoom endpoint the daemon calls: its path template, rate-limit category, and largest page. */
export interface Endpoint {
  name: string;
  template: string;
  category: Category;
  /** Largest page_size the spec allows, for list endpoints. */
  pageSize?: number;
  /** The key of the item array in a list answer. */
  itemsKey?: string;
}

const list = (
  name: string,
  template: string,
  category: Category,
  pageSize: number,
  itemsKey: string,
): Endpoint => ({
  name,
  template,
  category,
  pageSize,
  itemsKey,
});

export const ENDPOINTS = {
  meetings: list('meetings', '/metrics/meetings', 'Resource-intensive', 300, 'meetings'),
  webinars: list('webinars', '/metrics/webinars', 'Resource-intensive', 300, 'webinars'),
  sessions: list('sessions', '/videosdk/sessions', 'Resource-intensive', 300, 'sessions'),
  meetingParticipants: list(
    'meeting_participants',
    '/metrics/meetings/{id}/participants',
    'Heavy',
    300,
    'participants',
  ),
  webinarParticipants: list(
    'webinar_participants',
    '/metrics/webinars/{id}/participants',
    'Heavy',
    300,
    'participants',
  ),
  meetingQos: list('meeting_qos', '/metrics/meetings/{id}/participants/qos', 'Heavy', 10, 'participants'),
  webinarQos: list('webinar_qos', '/metrics/webinars/{id}/participants/qos', 'Heavy', 10, 'participants'),
  sessionQos: list('session_qos', '/videosdk/sessions/{id}/users/qos', 'Heavy', 10, 'users'),
  meetingParticipantQos: {
    name: 'meeting_participant_qos',
    template: '/metrics/meetings/{id}/participants/{participantId}/qos',
    category: 'Heavy',
  },
  webinarParticipantQos: {
    name: 'webinar_participant_qos',
    template: '/metrics/webinars/{id}/participants/{participantId}/qos',
    category: 'Heavy',
  },
  // After the call (`qoswatch report`, `inspect`): summaries, details and past instances.
  ...REPORT_ENDPOINTS,
} satisfies Record<string, Endpoint>;

/**
 * A meeting UUID that starts with "/" or contains "//" must be URL-encoded twice, or Zoom
 * answers 404 (code 3001). Other ids are encoded once.
 */
export function encodePathId(id: string): string {
  const once = encodeURIComponent(id);
  return id.startsWith('/') || id.includes('//') ? encodeURIComponent(once) : once;
}

/**
 * The path of `template` with its parameters encoded. An id of "", "." or ".." is refused
 * (ZOOM_INVALID_ID) before any call: encoded or not ("%2E" too), URL normalisation would drop
 * it as a dot segment and send the request to another endpoint (`/metrics/meetings/..` is
 * `/metrics/`).
 */
export function expandPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`missing path parameter ${k} for ${template}`);
    if (v === '' || v === '.' || v === '..')
      throw new ZoomError(
        'ZOOM_INVALID_ID',
        `${JSON.stringify(v)} is not a valid ${k === 'id' ? 'meeting, webinar or session id' : 'participant id'}: no call was sent`,
      );
    return encodePathId(v);
  });
}

/** The URL of a call: the API base (its trailing slashes dropped), `/v2`, the path, and the query's set values. */
export function callUrl(
  base: string,
  path: string,
  query: Record<string, string | number | undefined>,
): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const q = qs.toString();
  return `${base.replace(/\/+$/, '')}/v2${path}${q ? `?${q}` : ''}`;
}

const utcDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * The `from`/`to` a live list call must send (the spec marks them required even with
 * `type=live`): two days ago and today, as UTC dates. Zoom reads these dates in UTC, so a range
 * in local dates could miss a meeting that started before midnight UTC. Whether a live list
 * leaves out a meeting that started before `from` is not documented, and a meeting may last
 * 30 hours: one started late on day D-2 is still live on day D, and `from` = yesterday could
 * miss it. Two days back covers it, in the same one call (the spec allows a month).
 */
export function liveRange(now: number): { from: string; to: string } {
  return { from: utcDay(now - 2 * 86_400_000), to: utcDay(now) };
}
