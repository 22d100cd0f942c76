import type { Logger } from 'pino';
import type { InstanceRef } from '../normalize/sample.js';
import { ZoomError } from '../zoom/errors.js';
import type { PollResult } from './poll-result.js';

/**
 * The instances discovery has listed live. Zoom answers 404 with code 3001 both for "no longer
 * live" and for "does not exist": on an instance discovery listed, it means ended; on an id it
 * never listed (a wrong id, a UUID encoded once instead of twice) it is an error, logged once
 * per id, counted, and thrown so the poll counts as failed.
 */
export class ListedIds {
  private readonly listed = new Set<string>();
  private readonly reported = new Set<string>();
  /** 404/3001 answers for ids discovery never listed. */
  unknown = 0;

  constructor(private readonly log: Logger) {}

  add(uuid: string): void {
    this.listed.add(uuid);
  }

  forget(uuid: string): void {
    this.listed.delete(uuid);
  }

  /** What a 404/3001 on a poll of `ref` means. */
  notFound(ref: InstanceRef, err: ZoomError): PollResult {
    if (this.listed.has(ref.uuid)) return { samples: [], present: [], left: [], ended: true };
    this.unknown++;
    if (!this.reported.has(ref.uuid)) {
      this.reported.add(ref.uuid);
      this.log.error(
        { kind: ref.kind, id: ref.uuid, endpoint: err.details.endpoint },
        `Zoom does not know ${ref.kind} ${ref.uuid} (404, code 3001), and discovery never listed it live: a wrong id, or a UUID not encoded twice`,
      );
    }
    throw new ZoomError(
      'ZOOM_NOT_FOUND',
      `${ref.kind} ${ref.uuid} does not exist (404, code 3001) and was never listed live`,
      { ...err.details, retryable: false },
      { cause: err },
    );
  }
}
