import type { QosSample } from '../normalize/sample.js';
import type { FilterField } from './rule-types.js';

/** `*` globs and `/regex/` patterns, compiled once. Returns an error text for a bad regex. */
export function compilePattern(p: string): RegExp | { error: string } {
  if (p.length > 2 && p.startsWith('/') && p.endsWith('/')) {
    try {
      return new RegExp(p.slice(1, -1), 'i');
    } catch (err) {
      return { error: `bad regular expression ${p}: ${(err as Error).message}` };
    }
  }
  const escaped = p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** What each filter looks at in a sample. */
export const FILTER_VALUES: Record<FilterField, (s: QosSample) => string[]> = {
  network_type: (s) => [s.context.networkType ?? ''],
  data_center: (s) => [s.context.dataCenter ?? ''],
  connection_type: (s) => [s.context.connectionType ?? ''],
  location: (s) => [s.context.location ?? ''],
  device: (s) => [s.context.device ?? ''],
  client_version: (s) => [s.context.version ?? ''],
  topic: (s) => [s.instance.topic],
  instance: (s) => [s.instance.id, s.instance.uuid],
  // Participants that matter most: by key, name or email.
  participant: (s) => [s.participant.key, s.participant.name, s.participant.email].filter(Boolean),
};
