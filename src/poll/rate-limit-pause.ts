import type { LogOnce } from '../util/log-once.js';
import type { Category } from '../zoom/limits.js';
import type { PollSource } from './source.js';

/**
 * Whether Zoom's 429 pauses the source's calls of `category` now (its client says until when):
 * their own category's pause, or another's that a 429 of theirs named (Zoom counted them there).
 * What needs them waits for a later cycle, the rest of the cycle goes on. Logged once an hour
 * per source and category (docs/polling.md).
 */
export function rateLimited(source: PollSource, category: Category, once: LogOnce): boolean {
  const pause = source.client.pause(category);
  if (pause === undefined) return false;
  const at = new Date(pause.until).toISOString();
  once.warn(
    `paused:${source.kind}:${category}`,
    {
      kind: source.kind,
      category,
      ...(pause.category === category ? {} : { pausedBy: pause.category }),
      until: at,
    },
    `Zoom's ${pause.category} rate limit pauses those calls${pause.category === category ? '' : ` (${category}: Zoom's 429 counted them there)`} until ${at} (${pause.origin}): what needs them waits for a later cycle, the rest goes on`,
  );
  return true;
}
