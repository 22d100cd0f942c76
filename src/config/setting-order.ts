import { durationMs } from '../util/duration.js';
import { problemAt, type ParseContext } from './parse-context.js';

/**
 * Two duration settings of one section where `low` must not exceed `high` (poll.min_interval and
 * max_interval, delivery.retry_initial and retry_max), each as the file writes it or its default;
 * `strict`: `low` must be shorter than `high` (delivery.timeout and give_up_after).
 * Out of order, the problem is at the one the file sets, the upper one when it sets both:
 * `found 1m, shorter than min_interval (5m); expected at least min_interval`.
 */
export function checkOrder<K extends string>(
  ctx: ParseContext,
  section: string,
  [low, high]: [K, K],
  written: Partial<Record<K, string>> | undefined,
  defaults: Record<K, string>,
  strict = false,
): void {
  const lowText = written?.[low] ?? defaults[low];
  const highText = written?.[high] ?? defaults[high];
  const [lowMs, highMs] = [durationMs(lowText), durationMs(highText)];
  if (strict ? lowMs < highMs : lowMs <= highMs) return;
  const lowSet = written?.[low] !== undefined;
  const highSet = written?.[high] !== undefined;
  const [shorter, longer] =
    strict && lowMs === highMs ? ['as long as', 'as long as'] : ['shorter than', 'longer than'];
  if (highSet || !lowSet)
    problemAt(
      ctx,
      [section, high],
      `found ${highText}, ${shorter} ${low} (${lowText}${lowSet ? '' : ', its default'}); expected ${strict ? 'longer than' : 'at least'} ${low}`,
    );
  else
    problemAt(
      ctx,
      [section, low],
      `found ${lowText}, ${longer} ${high} (${highText}, its default); expected ${strict ? 'shorter than' : 'at most'} ${high}`,
    );
}
