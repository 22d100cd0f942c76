import { keyExcerpt } from '../util/shown-key.js';
import { oneLine } from '../util/shown-text.js';
import { faultFrom, type RawFault } from './scenario.js';
import { scenarioSchema } from './scenario-schema.js';
import { FAULT_KINDS, type FaultSpec } from './scenario-types.js';

/** A fault's keys, as a scenario's `faults` write them (docs/simulator.md). */
const KEYS = Object.keys(scenarioSchema.properties.faults.items.properties);
const STRINGS = ['path', 'from', 'to', 'delay', 'retry_after', 'rate_limit_category', 'rate_limit_type'];
const EXAMPLE = `such as {"kind":"429","retry_after":"120","times":2}`;

/** What is wrong with a posted fault's values (kinds and types; a duration is read by faultFrom). */
function valueProblem(f: Record<string, unknown>): string | undefined {
  if (!(FAULT_KINDS as readonly unknown[]).includes(f.kind))
    return `kind is ${f.kind === undefined ? 'missing' : 'not one'}; expected one of ${FAULT_KINDS.join(', ')}`;
  const notText = STRINGS.filter((k) => f[k] !== undefined && typeof f[k] !== 'string');
  if (notText.length) return `${notText.join(', ')}: expected a string (durations as 90s, 5m)`;
  if (f.times !== undefined && !(Number.isInteger(f.times) && (f.times as number) >= 1))
    return 'times: expected a whole number from 1';
  if (
    f.retry_after_format !== undefined &&
    f.retry_after_format !== 'seconds' &&
    f.retry_after_format !== 'date'
  )
    return 'retry_after_format: expected seconds or date';
  return undefined;
}

/**
 * The fault a `POST /_sim/faults` body describes, in a scenario's spelling (snake_case keys,
 * durations as `7s`); or why it is refused (a 400 that says it). An unknown key is named:
 * `retryAfter` and the like (the simulator's own field names) were taken and ignored unless they
 * happened to be those, and `retry_after` or `rate_limit_category` were ignored silently.
 */
export function postedFault(text: string): { fault: FaultSpec } | { problem: string } {
  let body: unknown;
  try {
    body = JSON.parse(text || '{}');
  } catch {
    return { problem: `not JSON; expected a fault as a JSON object, ${EXAMPLE}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { problem: `expected a fault as a JSON object, ${EXAMPLE}` };
  const f = body as Record<string, unknown>;
  const unknown = Object.keys(f).filter((k) => !KEYS.includes(k));
  if (unknown.length)
    return {
      problem: `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${keyExcerpt(k)}"`).join(', ')}; expected ${KEYS.join(', ')} (as a scenario's faults write them: docs/simulator.md)`,
    };
  const problem = valueProblem(f);
  if (problem) return { problem };
  try {
    return { fault: faultFrom(f as unknown as RawFault) };
  } catch (err) {
    return { problem: oneLine((err as Error).message) };
  }
}
