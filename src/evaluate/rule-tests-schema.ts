import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import type { SourceKind } from '../normalize/sample.js';

/** A rule test file as written (the schema below checked it). */
export interface ExpectedAlert {
  rule: string;
  state: 'pending' | 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  reason?: 'recovered' | 'left' | 'ended' | 'moved';
}
export interface RawInput {
  participant: string;
  name?: string;
  instance?: string;
  kind?: SourceKind;
  topic?: string;
  start?: string;
  /** Context by its rule name (network_type, data_center, client_version, health, ...). */
  context?: Record<string, string>;
  /**
   * The context changing while the join goes on: from `at` (the test's time) its samples have these
   * fields instead (`_`: the field gone), so a member can move between groups.
   */
  context_changes?: ContextChange[];
  series: Record<string, string>;
}
/** One entry of an input's `context_changes`: `at`, and context fields by their rule names. */
export type ContextChange = { at: string } & Record<string, string>;
/** A participant's leave or an instance's end; the schema takes one with neither (rule-test-joins.ts refuses it). */
export interface RawEvent {
  at: string;
  left?: { participant: string; instance?: string };
  ended?: string;
}
export interface RawTest {
  name: string;
  interval?: string;
  input: RawInput[];
  events?: RawEvent[];
  expect: { at: string; alerts: ExpectedAlert[] }[];
}
export interface RawTestFile {
  rule_files: string[];
  gap_tolerance?: string;
  tests: RawTest[];
}

/** "100ms 400ms x3 _ 100ms": values in order; `xN` repeats the previous value to N copies; `_` is missing. */
export function expandValues(text: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const tok of text.trim().split(/\s+/)) {
    const rep = repeatOf(tok);
    if (rep !== undefined) {
      const prev = out.at(-1);
      for (let i = 1; i < rep; i++) out.push(prev);
    } else out.push(tok === '_' ? undefined : tok);
  }
  return out;
}

/** The N of an `xN` token (N copies of the value before it); undefined for a value or `_`. */
export function repeatOf(tok: string): number | undefined {
  const n = /^x(\d+)$/.exec(tok)?.[1];
  return n === undefined ? undefined : Number(n);
}

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
    reason: { enum: ['recovered', 'left', 'ended', 'moved'] },
  },
} as const;

/** Context fields by their rule names, as an input's `context` (and `context_changes`) gives them. */
const contextFields = Object.fromEntries(CONTEXT_FIELDS.map((f) => [f.rule, { type: 'string' }]));

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
                context: { type: 'object', additionalProperties: false, properties: contextFields },
                context_changes: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['at'],
                    properties: { at: duration, ...contextFields },
                  },
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
