import { writeFileSync } from 'node:fs';
import { CONFIG_SCHEMA_FILE, configSchema } from './schema.js';

/**
 * `npm run schema`: writes the full config schema (with every notifier kind's settings from the
 * registry) to src/config/config.schema.json, the file editors autocomplete from.
 */
writeFileSync(CONFIG_SCHEMA_FILE, JSON.stringify(configSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${CONFIG_SCHEMA_FILE}\n`);
