import { readFileSync } from 'node:fs';
import { CONTEXT_FIELDS, liveSource } from '../normalize/catalog.js';
import { NOTIFIERS } from '../notify/registry.js';
import { fromRoot } from '../util/package-root.js';
import { boundedDuration } from '../util/duration-schema.js';

export const CONFIG_SCHEMA_FILE = fromRoot('src', 'config', 'config.schema.json');

/** Settings every notifier has, whatever its kind. */
const COMMON = {
  name: {
    type: 'string',
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
    errorMessage: 'a name of letters, digits, ., _ and -',
  },
  type: { enum: [...NOTIFIERS.map((p) => p.type), 'module'] },
  send_resolved: { type: 'boolean', description: 'Notify when alerts resolve. Default true.' },
  group_wait: boundedDuration('0', '1h'),
  group_interval: boundedDuration('1s', '24h'),
  repeat_interval: boundedDuration('1m', '7d'),
  rate_limit: {
    type: 'object',
    additionalProperties: false,
    required: ['max', 'per'],
    properties: {
      max: { type: 'integer', minimum: 1, maximum: 10_000, description: 'From 1 to 10,000.' },
      per: boundedDuration('1s', '24h'),
    },
    description: 'At most `max` messages per `per`; what is held back is summed up in one message after.',
  },
};

/** The notifiers section, derived from the registry: each kind's own settings join the common ones. */
export function notifiersSchema(): object {
  const kinds: object[] = NOTIFIERS.map((p) => {
    const secretFiles = Object.fromEntries(
      (p.secrets ?? []).map((s) => [`${s}_file`, { type: 'string', minLength: 1 }]),
    );
    return {
      if: { properties: { type: { const: p.type } }, required: ['type'] },
      then: {
        description: p.description,
        additionalProperties: false,
        properties: { ...COMMON, ...p.properties, ...secretFiles },
        ...(p.required?.length ? { required: p.required.filter((r) => !(p.secrets ?? []).includes(r)) } : {}),
      },
    };
  });
  kinds.push({
    if: { properties: { type: { const: 'module' } }, required: ['type'] },
    then: {
      description:
        'A notifier of your own: a module whose default export is a NotifierPlugin (docs/notifications.md).',
      additionalProperties: false,
      properties: { ...COMMON, module: { type: 'string', minLength: 1 }, options: { type: 'object' } },
      required: ['module'],
    },
  });
  return {
    type: 'array',
    items: { type: 'object', required: ['name', 'type'], properties: COMMON, allOf: kinds },
  };
}

/** The full configuration schema: the file's, with the notifiers section made from the registry. */
export function configSchema(): Record<string, unknown> {
  const base = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as {
    properties: Record<string, unknown>;
  };
  base.properties.notifiers = notifiersSchema();
  // poll.list_fields: the catalog's fields only the participants list gives.
  const poll = base.properties.poll as { properties: { list_fields: { items: { enum: string[] } } } };
  poll.properties.list_fields.items.enum = CONTEXT_FIELDS.filter(
    (f) => liveSource(f, 'meeting') === 'list',
  ).map((f) => f.rule);
  return base;
}
