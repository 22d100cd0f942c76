import type { LogOnce } from '../util/log-once.js';
import { isZoomError } from '../zoom/errors.js';
import type { PollSource } from './source.js';

/**
 * A listing that failed, or whose entries could not all be used (`unusable`): logged once an
 * hour per source, code and which.
 */
export function discoveryFailed(once: LogOnce, source: PollSource, err: unknown, unusable = false): void {
  const code = isZoomError(err) ? err.code : 'ERROR';
  const kinds = `${source.kind}s`;
  once.warn(
    `discover${unusable ? '-unusable' : ''}:${source.kind}:${code}`,
    { kind: source.kind, code, err: (err as Error).message },
    unusable
      ? `Zoom's live ${kinds} list has entries that cannot be used; those it does not show are kept as they were`
      : `could not list live ${kinds}; keeping the last list`,
  );
}

/** A listing stopped as a page loop (`why`): logged once an hour per source. */
export function discoveryCut(once: LogOnce, source: PollSource, why: string): void {
  once.warn(
    `discover-cut:${source.kind}`,
    { kind: source.kind, why },
    `Zoom's live ${source.kind}s list was cut (${why}); those it does not show are kept as they were`,
  );
}
