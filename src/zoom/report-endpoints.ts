/**
 * The endpoints `qoswatch report` and `qoswatch inspect` call besides the live poll's. Every
 * one goes through the same ZoomClient, so through the same rate limiters and daily budget.
 *
 * Zoom labels `/past_meetings/{id}/instances` Medium and `/past_webinars/{id}/instances`
 * Light; qoswatch knows two categories and counts them as Heavy (the stricter per-second
 * limit, and inside the daily budget), so a report never takes more than the budget says. (Checked against `Endpoint` where
 * ENDPOINTS spreads them in.)
 */
export const REPORT_ENDPOINTS = {
  // QoS summaries: past instances only, and only with the QoS Subscription (QSS) add-on.
  meetingQosSummary: {
    name: 'meeting_qos_summary',
    template: '/metrics/meetings/{id}/participants/qos_summary',
    category: 'Heavy',
    pageSize: 10,
    itemsKey: 'participants',
  },
  webinarQosSummary: {
    name: 'webinar_qos_summary',
    template: '/metrics/webinars/{id}/participants/qos_summary',
    category: 'Heavy',
    pageSize: 10,
    itemsKey: 'participants',
  },
  sessionQosSummary: {
    name: 'session_qos_summary',
    template: '/videosdk/sessions/{id}/users/qos_summary',
    category: 'Heavy',
    pageSize: 10,
    itemsKey: 'users',
  },
  sessionUserQos: {
    name: 'session_user_qos',
    template: '/videosdk/sessions/{id}/users/{participantId}/qos',
    category: 'Heavy',
  },
  // One instance's details (topic, start, end, participant count): the latest for a number.
  meetingDetails: { name: 'meeting_details', template: '/metrics/meetings/{id}', category: 'Heavy' },
  webinarDetails: { name: 'webinar_details', template: '/metrics/webinars/{id}', category: 'Heavy' },
  sessionDetails: { name: 'session_details', template: '/videosdk/sessions/{id}', category: 'Heavy' },
  pastMeetingInstances: {
    name: 'past_meeting_instances',
    template: '/past_meetings/{id}/instances',
    category: 'Heavy',
    itemsKey: 'meetings',
  },
  pastWebinarInstances: {
    name: 'past_webinar_instances',
    template: '/past_webinars/{id}/instances',
    category: 'Heavy',
    itemsKey: 'webinars',
  },
} as const;
