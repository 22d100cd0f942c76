import type { SourceKind } from '../normalize/sample.js';
import { ENDPOINTS, type Endpoint } from '../zoom/endpoints.js';

/** The endpoints a report reads, per kind of instance. */
export interface KindEndpoints {
  details: Endpoint;
  summary: Endpoint;
  qos: Endpoint;
  /** Context of each join; Video SDK QoS entries carry their own. */
  participants?: Endpoint;
  single: Endpoint;
  /** Past instances of a number; a Video SDK session id names one session. */
  instances?: Endpoint;
}

export const REPORT_KINDS: Record<SourceKind, KindEndpoints> = {
  meeting: {
    details: ENDPOINTS.meetingDetails,
    summary: ENDPOINTS.meetingQosSummary,
    qos: ENDPOINTS.meetingQos,
    participants: ENDPOINTS.meetingParticipants,
    single: ENDPOINTS.meetingParticipantQos,
    instances: ENDPOINTS.pastMeetingInstances,
  },
  webinar: {
    details: ENDPOINTS.webinarDetails,
    summary: ENDPOINTS.webinarQosSummary,
    qos: ENDPOINTS.webinarQos,
    participants: ENDPOINTS.webinarParticipants,
    single: ENDPOINTS.webinarParticipantQos,
    instances: ENDPOINTS.pastWebinarInstances,
  },
  session: {
    details: ENDPOINTS.sessionDetails,
    summary: ENDPOINTS.sessionQosSummary,
    qos: ENDPOINTS.sessionQos,
    single: ENDPOINTS.sessionUserQos,
  },
};

/**
 * Calls a report costs for `participants` joins: the details (1), the summary and the past
 * QoS list (pages of 10 each), the participants list (pages of 300). Without the summary
 * (`--source samples`, or refused) its pages are not taken; with `--source summary` the QoS
 * pages are not.
 */
export function reportCost(
  kind: SourceKind,
  participants: number,
  source: 'auto' | 'summary' | 'samples',
): number {
  const tens = Math.ceil(Math.max(1, participants) / 10);
  const list = kind === 'session' ? 0 : Math.ceil(Math.max(1, participants) / 300);
  return 1 + (source === 'samples' ? 0 : tens) + (source === 'summary' ? 0 : tens) + list;
}
