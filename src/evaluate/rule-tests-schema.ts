import { CONTEXT_FIELDS } from '../normalize/catalog.js';

/** JSON Schema of rule test files (`qoswatch test-rules`). */
const duration = {
  type: 'string',
  pattern: '^(0|(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$',
  errorMessage: 'a duration such as 90s, 5m or 1h',
} as const;
const expectedAlert = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'state'],
  properties: {
    rule: { type: 'string' },
    state: { enum: ['pending', 'firing', 'resolved'] },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    reason: { enum: ['recovered', 'left', 'ended'] },
  },
} as const;

export const ruleTestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rule_files', 'tests'],
  properties: {
    rule_files: { type: 'array', items: { type: 'string' }, minItems: 1 },
    gap_tolerance: duration,
    tests: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'input', 'expect'],
        properties: {
          name: { type: 'string' },
          interval: duration,
          input: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['participant', 'series'],
              properties: {
                participant: { type: 'string' },
                name: { type: 'string' },
                instance: { type: 'string' },
                kind: { enum: ['meeting', 'webinar', 'session'] },
                topic: { type: 'string' },
                start: duration,
                context: {
                  type: 'object',
                  additionalProperties: false,
                  properties: Object.fromEntries(CONTEXT_FIELDS.map((f) => [f.rule, { type: 'string' }])),
                },
                series: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1 },
              },
            },
          },
          events: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['at'],
              properties: {
                at: duration,
                left: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['participant'],
                  properties: { participant: { type: 'string' }, instance: { type: 'string' } },
                },
                ended: { type: 'string' },
              },
            },
          },
          expect: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['at', 'alerts'],
              properties: { at: duration, alerts: { type: 'array', items: expectedAlert } },
            },
          },
        },
      },
    },
  },
} as const;
