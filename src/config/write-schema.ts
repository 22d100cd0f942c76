import { writeFileSync } from 'node:fs';
import { RULES_SCHEMA_FILE, rulesSchema } from '../evaluate/load-rules.js';
import { CONFIG_SCHEMA_FILE, configSchema } from './schema.js';

/**
 * `npm run schema`: writes the full config schema (with every notifier kind's settings from the
 * registry) to src/config/config.schema.json, and the rule schema (metric names, filter and
 * group_by fields from the field catalog) to src/evaluate/rules.schema.json: the files editors
 * autocomplete from.
 */
writeFileSync(CONFIG_SCHEMA_FILE, JSON.stringify(configSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${CONFIG_SCHEMA_FILE}\n`);
writeFileSync(RULES_SCHEMA_FILE, JSON.stringify(rulesSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${RULES_SCHEMA_FILE}\n`);
