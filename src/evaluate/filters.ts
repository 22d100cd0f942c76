import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import type { ParticipantContext, QosSample } from '../normalize/sample.js';
import type { FilterField } from './rule-types.js';

/** What each filter looks at in a sample: every context field of the catalog, and who and where. */
export const FILTER_VALUES = {
  ...Object.fromEntries(
    CONTEXT_FIELDS.map((f) => {
      const key = f.key as keyof ParticipantContext;
      // A list (issue_list) matches when any of its words does.
      const read =
        f.unit === 'list'
          ? (s: QosSample): string[] => (s.context[key] ?? '').split(', ')
          : (s: QosSample): string[] => [s.context[key] ?? ''];
      return [f.rule, read];
    }),
  ),
  topic: (s) => [s.instance.topic],
  instance: (s) => [s.instance.id, s.instance.uuid],
  // Participants that matter most: by key, name or email.
  participant: (s) => [s.participant.key, s.participant.name, s.participant.email].filter(Boolean),
} as Record<FilterField, (s: QosSample) => string[]>;
