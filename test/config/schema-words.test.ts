import { describe, expect, it } from 'vitest';
import { knownSchemas } from '../../src/cli/known-schemas.js';
import { loadConfig } from '../../src/config/load.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { refusal } from '../helpers/yaml-readers.js';

/**
 * Every JSON Schema keyword of the files people write (config, rules, rule tests, scenarios) is
 * reported in words that say what was found and what is expected, never in ajv's own ("must NOT
 * have fewer than 1 items", "must be integer"). Old code: the size, uniqueItems and
 * propertyNames cases printed ajv's messages, `required` did not say what the setting takes, and
 * an anyOf gave one line per branch ("expected string" beside the list's own problem).
 */

const config = (f: string): unknown => loadConfig(f, {});
const rules = (f: string): unknown => loadRules([f]);
const ZOOM = 'zoom: { account_id: a, client_id: c, client_secret: s }\n';
const RULE =
  '  - name: r\n    metric: jitter\n    streams: [any_audio]\n    when: above\n    threshold: 40ms\n';

/** keyword, reader, file text, the one problem expected (after `file:`). */
const CASES: [string, (f: string) => unknown, string, string][] = [
  [
    'required',
    rules,
    'rules:\n  - name: r\n    metric: jitter\n    threshold: 40ms\n',
    '2:5: rules[0].when: missing required setting "when"; expected one of "above", "below"',
  ],
  [
    'minItems',
    rules,
    `rules:\n${RULE}    sources: []\n`,
    '7:14: rules[0].sources: found an empty list; expected a list of at least 1 item',
  ],
  [
    'maxItems',
    config,
    `${ZOOM}rules:\n  paths: [${Array.from({ length: 101 }, () => 'x').join(', ')}]\n`,
    '3:10: rules.paths: found a list of 101 items; expected a list of at most 100 items',
  ],
  [
    'minLength',
    config,
    'zoom: { account_id: "", client_id: c, client_secret: s }\n',
    '1:21: zoom.account_id: found an empty string; expected a non-empty string',
  ],
  [
    'maxLength',
    rules,
    `rules:\n${RULE}    filters: { topic: ${'x'.repeat(1003)} }\n`,
    '7:23: rules[0].filters.topic: found a string of 1003 characters; expected a string of at most 1002 characters',
  ],
  [
    'minProperties',
    rules,
    `rules:\n${RULE}    scope: instance\n    breaching: {}\n`,
    '8:16: rules[0].breaching: found a mapping; expected count (participants) or ratio (a share such as 30%), one of the two',
  ],
  [
    'maxProperties',
    rules,
    `rules:\n${RULE}    scope: instance\n    breaching: { count: 2, ratio: 10% }\n`,
    '8:16: rules[0].breaching: found a mapping; expected count (participants) or ratio (a share such as 30%), one of the two',
  ],
  [
    'minimum',
    config,
    `${ZOOM}poll: { concurrency: 0 }\n`,
    '2:22: poll.concurrency: found 0; expected a whole number from 1 to 64',
  ],
  [
    'maximum',
    config,
    `${ZOOM}poll: { concurrency: 65 }\n`,
    '2:22: poll.concurrency: found 65; expected a whole number from 1 to 64',
  ],
  [
    'exclusiveMinimum',
    config,
    'zoom: { account_id: a, client_id: c, client_secret: s, daily_share: 0 }\n',
    '1:69: zoom.daily_share: found 0; expected a number above 0 and at most 1',
  ],
  [
    // A secret's size in words too, its length not said. Before: "expected a value the schema
    // takes (minLength)" (outside tester, c15.yaml).
    'minLength of a secret',
    config,
    `${ZOOM}webhooks:\n  apps: [{ name: a, path: /x, secret_token: "" }]\n`,
    '3:45: webhooks.apps[0].secret_token: found an empty string; expected a non-empty string',
  ],
  [
    'uniqueItems',
    rules,
    `rules:\n${RULE}    sources: [meeting, webinar, meeting]\n`,
    '7:33: rules[0].sources[2]: found "meeting" again (first at rules[0].sources[0]); expected each value at most once',
  ],
  [
    'propertyNames',
    config,
    `${ZOOM}metrics:\n  web:\n    basic_auth_users:\n      "a:b": $2b$10$${'a'.repeat(53)}\n`,
    "5:7: metrics.web.basic_auth_users.a:b: found a name (not shown: a secret setting); expected a user name without ':'",
  ],
  [
    'anyOf',
    rules,
    `rules:\n${RULE}    filters: { topic: { a: 1 } }\n`,
    '7:23: rules[0].filters.topic: found a mapping; expected a string or a list',
  ],
  [
    'type',
    config,
    `${ZOOM}sources: { meetings: 1 }\n`,
    '2:22: sources.meetings: found 1; expected true or false',
  ],
  [
    'enum',
    rules,
    'rules:\n  - { name: r, metric: jitter, when: over, threshold: 40ms }\n',
    '2:38: rules[0].when: found "over"; expected one of "above", "below"',
  ],
  [
    'pattern',
    rules,
    'rules:\n  - { name: R 1, metric: jitter, when: above, threshold: 40ms }\n',
    '2:13: rules[0].name: found "R 1"; expected a name in lower case, digits, - and _, starting with a letter',
  ],
  [
    'format',
    config,
    `${ZOOM}silences:\n  - { matchers: { a: b }, starts: yesterday }\n`,
    '3:35: silences[0].starts: found "yesterday"; expected a date and time such as "2026-12-01T09:00:00Z" (ISO 8601, with Z or an offset such as +01:00)',
  ],
  [
    'additionalProperties',
    config,
    `${ZOOM}pol: {}\n`,
    '2:1: pol: unknown setting "pol" (did you mean "poll"?); expected one of: zoom, videosdk, sources, poll, metrics, state, log, rules, route, silences, inhibit_rules, delivery, webhooks, reports, notifiers',
  ],
  [
    'durationRange',
    rules,
    `rules:\n${RULE}    for: 2d\n`,
    '7:10: rules[0].for: found "2d"; expected a duration from 0 to 24h',
  ],
  [
    'httpUrl',
    config,
    'zoom: { account_id: a, client_id: c, client_secret: s, api_url: "ftp://x" }\n',
    '1:65: zoom.api_url: found "ftp://x", which is not an http:// or https:// URL; expected an http(s) URL such as https://api.zoom.us, without user:password@',
  ],
];

/** Keywords that are no problem of their own: structure, annotations, and `if` (its branch's problems say it). */
const STRUCTURE = new Set([
  '$ref',
  '$schema',
  '$id',
  'title',
  'description',
  'default',
  'errorMessage',
  'properties',
  'definitions',
  'items',
  'allOf',
  'if',
  'then',
  // Only inside `if` (a notifier's type): a failed `if` is no error.
  'const',
]);

/** Every keyword the schemas of `files` use, with a sub-schema's keywords. */
function keywords(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) keywords(s, out);
  else if (schema && typeof schema === 'object')
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties' || k === 'definitions' || k === 'propertyNames') {
        out.add(k);
        for (const s of k === 'propertyNames' ? [v] : Object.values(v as object)) keywords(s, out);
      } else {
        out.add(k);
        if (typeof v === 'object') keywords(v, out);
      }
    }
  return out;
}

describe('schema problems in words', () => {
  it('every keyword of the config, rule, rule test and scenario schemas has a case here', () => {
    const used = new Set<string>();
    for (const { kind, schema } of knownSchemas()) if (kind === 'files') keywords(schema, used);
    const covered = new Set([...STRUCTURE, ...CASES.map(([k]) => k)]);
    expect([...used].filter((k) => !covered.has(k))).toEqual([]);
  });

  it.each(CASES)('%s', (_keyword, read, text, want) => {
    const { file, message } = refusal(read, text);
    expect(message).toBe(`${file}:${want}`);
    expect(message).not.toMatch(/\bmust\b|NOT|##/);
  });
});
