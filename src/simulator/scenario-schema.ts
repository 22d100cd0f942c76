import { FAULT_KINDS } from './scenario-types.js';

/** JSON Schema of scenario files (YAML), checked with ajv so a typo gets a file:line:col answer. */
const duration = {
  type: 'string',
  pattern: '^(0|(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$',
  errorMessage: 'a duration such as 90s, 5m or 1h',
} as const;
const text = { type: 'string' } as const;
const idText = { type: ['string', 'integer'] } as const;

const participant = {
  type: 'object',
  additionalProperties: false,
  required: ['user_id'],
  properties: {
    key: text,
    id: text,
    user_id: idText,
    name: text,
    email: text,
    device: { enum: ['Phone', 'H.323/SIP', 'Windows', 'Mac', 'iOS', 'Android'] },
    role: { enum: ['host', 'attendee', 'panelist'] },
    network_type: { enum: ['Wired', 'Wifi', 'PPP', 'Cellular', 'Others'] },
    data_center: text,
    location: text,
    connection_type: text,
    version: text,
    ip_address: text,
    join: duration,
    leave: duration,
    media: { type: 'array', items: { enum: ['audio', 'video', 'share'] }, uniqueItems: true },
  },
} as const;

const crowd = {
  type: 'object',
  additionalProperties: false,
  required: ['count'],
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 100000 },
    prefix: text,
    join: duration,
    leave: duration,
    data_centers: { type: 'array', items: text, minItems: 1 },
    locations: { type: 'array', items: text, minItems: 1 },
    network_types: { type: 'array', items: participant.properties.network_type, minItems: 1 },
    devices: { type: 'array', items: participant.properties.device, minItems: 1 },
    external_share: { type: 'number', minimum: 0, maximum: 1 },
    muted_share: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

const instance = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: idText,
    uuid: text,
    topic: text,
    host: text,
    email: text,
    start: duration,
    end: duration,
    participants: { type: 'array', items: participant },
    crowd,
  },
} as const;

const metrics = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latency: text,
    jitter: text,
    avg_loss: text,
    max_loss: text,
    bitrate: text,
    frame_rate: text,
    resolution: text,
  },
} as const;

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: text,
    start: { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT', errorMessage: 'an ISO date-time in UTC' },
    seed: idText,
    plan: { enum: ['pro', 'business'] },
    shape: { enum: ['newer', 'older'] },
    present_leave_time: { enum: ['none', 'join_time'] },
    leave_lag: duration,
    qos_summary: { type: 'boolean' },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        heavy_per_second: { type: 'integer', minimum: 1 },
        resource_intensive_per_minute: { type: 'integer', minimum: 1 },
        daily: { type: 'integer', minimum: 1 },
      },
    },
    qos_window: duration,
    token_ttl: duration,
    page_token_ttl: duration,
    credentials: {
      type: 'object',
      additionalProperties: false,
      required: ['account_id', 'client_id', 'client_secret'],
      properties: { account_id: text, client_id: text, client_secret: text },
    },
    videosdk: {
      type: 'object',
      additionalProperties: false,
      required: ['api_key', 'api_secret'],
      properties: { api_key: text, api_secret: text },
    },
    meetings: { type: 'array', items: instance },
    webinars: { type: 'array', items: instance },
    sessions: { type: 'array', items: instance },
    episodes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['where', 'from', 'to'],
        properties: {
          name: text,
          where: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { participant: idText, instance: idText, data_center: text, location: text },
          },
          from: duration,
          to: duration,
          audio: metrics,
          video: metrics,
          share: metrics,
          any: metrics,
          cpu: {
            type: 'object',
            additionalProperties: false,
            properties: {
              zoom_avg: { type: 'number', minimum: 0, maximum: 100 },
              zoom_max: { type: 'number', minimum: 0, maximum: 100 },
              system_max: { type: 'number', minimum: 0, maximum: 100 },
            },
          },
          wifi_rssi: { type: 'integer', maximum: 0, minimum: -120 },
        },
      },
    },
    faults: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind'],
        properties: {
          kind: { enum: FAULT_KINDS },
          path: text,
          from: duration,
          to: duration,
          times: { type: 'integer', minimum: 1 },
          delay: duration,
          retry_after_format: { enum: ['seconds', 'date'] },
          retry_after: { type: 'string', minLength: 1 },
          rate_limit_category: { type: 'string', minLength: 1 },
          rate_limit_type: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;
