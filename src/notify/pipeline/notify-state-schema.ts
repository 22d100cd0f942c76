import { REASON_PATTERN } from '../../evaluate/alert.js';
import { CONTEXT, COUNT, entryCheck, STRING_MAP, TIME } from '../../util/state-files.js';

/**
 * The JSON Schema checks of notify.json's entries (pipeline/store.ts reads the file with them):
 * an entry that fails its check is set aside, the rest is used (util/state-files.ts). Each
 * schema is also compiled ahead at build time (cli/known-schemas.ts imports this file).
 */

/** notify.json's `version`: a file of another version is set aside whole. */
export const NOTIFY_STATE_VERSION = 1;

const ALERT = {
  type: 'object',
  required: ['id', 'rule', 'state', 'severity', 'scope', 'labels', 'annotations', 'context', 'since'],
  properties: {
    id: { type: 'string', minLength: 1 },
    rule: { type: 'string' },
    state: { enum: ['pending', 'firing', 'resolved'] },
    severity: { type: 'string' },
    scope: { type: 'string' },
    labels: STRING_MAP,
    annotations: STRING_MAP,
    value: { type: 'number' },
    valueText: { type: 'string' },
    firedValue: { type: 'number' },
    firedValueText: { type: 'string' },
    // Since alerts say how bad they got: an older file's alerts have none (evaluate/alert.ts).
    worst: { type: 'number' },
    worstText: { type: 'string' },
    worstAt: TIME,
    threshold: { type: 'number' },
    thresholdText: { type: 'string' },
    since: TIME,
    firingSince: TIME,
    resolvedAt: TIME,
    lastSampleAt: TIME,
    // Any word, not only RESOLVE_REASONS: Alert.reason is an AlertReason (evaluate/alert.ts).
    reason: { type: 'string', pattern: REASON_PATTERN },
    inhibitedBy: { type: 'string' },
    context: CONTEXT,
  },
} as const;

const checkOutbox = entryCheck({
  type: 'object',
  required: ['notification', 'attempts', 'nextAttemptAt'],
  properties: {
    attempts: COUNT,
    nextAttemptAt: TIME,
    lastError: { type: 'string' },
    failedAs: { enum: ['down', 'server'] },
    announces: { type: 'array', items: { type: 'string' } },
    notification: {
      type: 'object',
      required: ['id', 'receiver', 'groupKey', 'groupLabels', 'kind', 'firing', 'resolved', 'createdAt'],
      properties: {
        id: { type: 'string', minLength: 1 },
        receiver: { type: 'string', minLength: 1 },
        groupKey: { type: 'string' },
        groupLabels: STRING_MAP,
        kind: { enum: ['alert', 'test', 'summary', 'report'] },
        firing: { type: 'array', items: ALERT },
        resolved: { type: 'array', items: ALERT },
        episodes: { type: 'array', items: { type: 'string' } },
        createdAt: TIME,
        heldBack: {
          type: 'object',
          required: ['count', 'since', 'alerts'],
          properties: { count: COUNT, since: TIME, alerts: COUNT },
        },
        report: {
          type: 'object',
          required: ['id', 'headline', 'alerts', 'path'],
          properties: {
            id: { type: 'string', minLength: 1 },
            headline: { type: 'string' },
            alerts: COUNT,
            path: { type: 'string' },
          },
        },
      },
    },
  },
});
const checkLog = entryCheck({
  type: 'object',
  required: ['firing', 'at'],
  properties: {
    firing: { type: 'array', items: { type: 'string' } },
    at: TIME,
    alerts: { type: 'array', items: ALERT },
    untold: { type: 'array', items: { type: 'string' } },
  },
});
const checkGroup = entryCheck({
  type: 'object',
  required: ['key', 'receiver', 'labels', 'timing', 'alerts'],
  properties: {
    key: { type: 'string' },
    receiver: { type: 'string', minLength: 1 },
    labels: STRING_MAP,
    timing: {
      type: 'object',
      required: ['groupWaitMs', 'groupIntervalMs', 'repeatIntervalMs'],
      properties: { groupWaitMs: COUNT, groupIntervalMs: COUNT, repeatIntervalMs: COUNT },
    },
    alerts: { type: 'object', additionalProperties: ALERT },
    muted: { type: 'array', items: { type: 'string' } },
    nextFlushAt: TIME,
    lastFlushAt: TIME,
  },
});
const checkMemory = entryCheck(STRING_MAP);
const checkTime = entryCheck(TIME);
const checkCap = entryCheck({
  type: 'object',
  required: ['sent', 'held', 'heldAlerts'],
  properties: { sent: { type: 'array', items: TIME }, held: COUNT, heldAlerts: COUNT, heldSince: TIME },
});

/** By section of notify.json, the check of each of its entries. */
export const notifyStateChecks = {
  outbox: checkOutbox,
  log: checkLog,
  groups: checkGroup,
  notifiers: checkMemory,
  caps: checkCap,
  reports: checkTime,
  outages: checkTime,
};
