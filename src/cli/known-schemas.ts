// The modules whose state files are checked by entryCheck: importing them registers their schemas.
import '../evaluate/state-store.js';
import '../notify/pipeline/notify-state-schema.js';
import '../poll/webhooks/instance-names.js';
import '../poll/webhooks/pushed-presence.js';
import '../report/worker.js';
import '../zoom/budget-record.js';
import { configSchema } from '../config/schema.js';
import { rulesSchema } from '../evaluate/load-rules.js';
import { ruleTestSchema } from '../evaluate/rule-tests-schema.js';
import { scenarioSchema } from '../simulator/scenario-schema.js';
import { stateSchemas } from '../util/state-files.js';
import type { SchemaEntry } from '../util/validators.js';

/**
 * Every schema known before qoswatch runs, for the build's generated validators: the config,
 * rule, rule-test and scenario files, and each state file's entries.
 */
export function knownSchemas(): SchemaEntry[] {
  return [
    { kind: 'files', schema: configSchema() },
    { kind: 'files', schema: rulesSchema() },
    { kind: 'files', schema: ruleTestSchema },
    { kind: 'files', schema: scenarioSchema },
    ...stateSchemas().map((schema): SchemaEntry => ({ kind: 'state', schema })),
  ];
}
