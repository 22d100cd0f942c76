import { pastSamples } from './past.js';
import { activeEpisodes } from './qos-generator.js';
import type { World } from './world.js';
import type { SimInstance, SimParticipant } from './scenario-types.js';
import { zoomTime } from '../util/zoom-time.js';

/** JSON bodies shaped as Zoom's, per dashboards-metrics.openapi.json and the Video SDK samples. */

const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

function hms(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
}

export function listEnvelope(
  now: number,
  pageSize: number,
  total: number,
  token: string,
): Record<string, unknown> {
  return {
    from: day(now),
    to: day(now),
    page_count: Math.max(1, Math.ceil(total / pageSize)),
    page_size: pageSize,
    total_records: total,
    next_page_token: token,
  };
}

export function instanceItem(world: World, inst: SimInstance, now: number): Record<string, unknown> {
  const start = world.scenario.start + inst.start;
  const present = world.present(inst, now);
  if (inst.kind === 'session') {
    return {
      id: inst.uuid,
      session_name: inst.topic,
      start_time: zoomTime(start),
      duration: hms(now - start),
      user_count: present.length,
      has_voip: true,
      has_video: true,
      has_screen_share: present.some((p) => p.media.includes('share')),
      has_recording: false,
      has_pstn: false,
      session_key: '',
    };
  }
  return {
    uuid: inst.uuid,
    id: Number(inst.id),
    topic: inst.topic,
    host: inst.host,
    email: inst.email,
    user_type: 'Licensed',
    start_time: zoomTime(start),
    duration: hms(now - start),
    participants: present.length,
    has_pstn: false,
    has_voip: true,
    has_3rd_party_audio: false,
    has_video: true,
    has_screen_share: present.some((p) => p.media.includes('share')),
    has_recording: false,
    has_sip: present.some((p) => p.device === 'H.323/SIP'),
    dept: '',
  };
}

/**
 * A join's `join_time` and, once it has left (`leave_lag` ago: until then the answer lags and
 * shows it present), its `leave_time`. `qos`: a QoS entry, which with the scenario's
 * `present_leave_time: join_time` carries Zoom's placeholder while present: a `leave_time`
 * equal to `join_time`, as every example QoS answer of Zoom's API has it.
 */
function stay(
  world: World,
  inst: SimInstance,
  p: SimParticipant,
  now: number,
  qos = false,
): Record<string, string> {
  const joined = zoomTime(world.joinTime(inst, p));
  const left = world.leaveTime(inst, p, now - world.scenario.leaveLagMs);
  const placeholder = qos && world.scenario.presentLeaveTime === 'join_time';
  return {
    join_time: joined,
    ...(left !== undefined ? { leave_time: zoomTime(left) } : placeholder ? { leave_time: joined } : {}),
  };
}

const OS: Record<string, string> = { Mac: 'Mac', Windows: 'Windows', iOS: 'iOS', Android: 'Android' };

/** A stable participant_uuid for one join. */
const joinUuid = (inst: SimInstance, p: SimParticipant): string =>
  `${inst.uuid}:${p.userId}`
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(-32)
    .toUpperCase();

/** The context a newer-shape QoS entry carries itself (the seed pages' shape leaves it out). */
function entryContext(
  world: World,
  inst: SimInstance,
  p: SimParticipant,
  now: number,
): Record<string, unknown> {
  const issues = [
    ...new Set(
      activeEpisodes(world.scenario, inst, p, now - world.scenario.start).flatMap((e) =>
        Object.keys(e.set).map((m) => (m === 'any' ? 'audio' : m)),
      ),
    ),
  ];
  return {
    participant_uuid: joinUuid(inst, p),
    data_center: p.dataCenter,
    full_data_center: `${p.dataCenter} data center`,
    network_type: p.networkType,
    connection_type: p.connectionType,
    client: p.device === 'H.323/SIP' ? 'Room Connector' : 'Zoom',
    os: OS[p.device] ?? '',
    device_name: p.device === 'H.323/SIP' ? 'Room system' : `${p.name || 'Guest'}'s ${p.device}`,
    health: issues.length ? 'Warning' : 'Good',
    issue_list: issues,
  };
}

/**
 * Zoom's verdicts in the participants list: `poor` for a medium an episode degrades now (`any`
 * counts as audio), else `good`; empty for a medium the participant does not send.
 */
function verdicts(world: World, inst: SimInstance, p: SimParticipant, now: number): Record<string, string> {
  const hit = new Set(
    activeEpisodes(world.scenario, inst, p, now - world.scenario.start).flatMap((e) =>
      Object.keys(e.set).map((m) => (m === 'any' ? 'audio' : m)),
    ),
  );
  const verdict = (m: 'audio' | 'video' | 'share'): string =>
    p.media.includes(m) ? (hit.has(m) ? 'poor' : 'good') : '';
  return {
    audio_quality: verdict('audio'),
    video_quality: verdict('video'),
    screen_share_quality: verdict('share'),
  };
}

/** An item of `/metrics/{meetings,webinars}/{id}/participants`: context, no QoS. */
export function participantItem(
  world: World,
  inst: SimInstance,
  p: SimParticipant,
  now: number,
): Record<string, unknown> {
  const newer = world.scenario.shape === 'newer';
  return {
    id: p.id,
    user_id: p.userId,
    ...(newer ? { participant_user_id: p.id, participant_uuid: joinUuid(inst, p) } : {}),
    user_name: p.name,
    device: p.device,
    ip_address: p.ipAddress,
    location: p.location,
    network_type: p.networkType,
    data_center: p.dataCenter,
    full_data_center: `${p.dataCenter} data center`,
    connection_type: p.connectionType,
    ...stay(world, inst, p, now),
    version: p.version,
    status: 'in_meeting',
    role: p.role,
    ...verdicts(world, inst, p, now),
    microphone: 'Built-in Microphone',
    speaker: 'Built-in Speaker',
    camera: p.media.includes('video') ? 'FaceTime HD Camera' : '',
    pc_name: p.name ? `${p.name}'s computer` : '',
    domain: '',
    harddisk_id: '',
    mac_addr: '',
    ...(p.email ? { email: p.email } : {}),
  };
}

/** An item of the QoS list (meetings, webinars) or the single-participant QoS answer. */
export function qosItem(
  world: World,
  inst: SimInstance,
  p: SimParticipant,
  now: number,
  past = false,
): Record<string, unknown> {
  const user_qos = (past ? pastSamples(world, inst, p) : world.liveSamples(inst, p, now)).map((s) => s.raw);
  if (inst.kind === 'session') {
    return {
      id: p.userId,
      name: p.name,
      device: p.device,
      ip_address: p.ipAddress,
      location: p.location,
      network_type: p.networkType,
      microphone: 'Built-in Microphone',
      speaker: 'Built-in Speaker',
      camera: 'FaceTime HD Camera',
      data_center: p.dataCenter,
      connection_type: p.connectionType,
      ...stay(world, inst, p, now, true),
      user_qos,
    };
  }
  // The seed pages' shape: `user_id` only, no account id and no context in the entry.
  const newer = world.scenario.shape === 'newer';
  return {
    ...(newer ? { id: p.id } : {}),
    user_id: p.userId,
    user_name: p.name,
    device: p.device,
    ip_address: p.ipAddress,
    location: p.location,
    ...(newer ? { email: p.email, ...entryContext(world, inst, p, now) } : {}),
    ...stay(world, inst, p, now, true),
    pc_name: p.name ? `${p.name}'s computer` : '',
    domain: '',
    mac_addr: '',
    harddisk_id: '',
    version: p.version,
    user_qos,
  };
}
