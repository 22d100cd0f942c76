import type { Deadline } from '../../util/deadline.js';
import { formatDuration } from '../../util/duration.js';
/**
 * What a notifier throws when it could not deliver: whether trying again can help, and how
 * soon at the earliest. The dispatcher owns retry; a notifier never retries on its own.
 */
export const NOTIFY_ERROR_CODES = [
  'NOTIFY_TIMEOUT',
  'NOTIFY_NETWORK',
  'NOTIFY_RATE_LIMITED',
  'NOTIFY_SERVER_ERROR',
  'NOTIFY_REJECTED',
  'NOTIFY_AUTH',
  'NOTIFY_BAD_ADDRESS',
  'NOTIFY_TLS',
  'NOTIFY_CONFIG',
] as const;
export type NotifyErrorCode = (typeof NOTIFY_ERROR_CODES)[number];

export class NotifyError extends Error {
  /**
   * An HTTP receiver's refusal: its status and the start of its answer (postJson). Kept out of
   * the message, which is logged as it is: only a notifier that knows its receiver's answers
   * (the Alertmanager one) reads it.
   */
  refusal?: { status: number; answer: string };

  constructor(
    readonly code: NotifyErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NotifyError';
  }
}

export const retryable = (
  code: NotifyErrorCode,
  message: string,
  retryAfterMs?: number,
  cause?: unknown,
): NotifyError =>
  new NotifyError(code, message, true, retryAfterMs, cause === undefined ? undefined : { cause });
export const permanent = (code: NotifyErrorCode, message: string, cause?: unknown): NotifyError =>
  new NotifyError(code, message, false, undefined, cause === undefined ? undefined : { cause });

/**
 * What a send threw, as the outbox and notify-test read it: a NotifyError as it is; anything
 * else a timeout when the send's `deadline` (delivery.timeout) ran out, a network error if not.
 */
export function fromSendFailure(receiver: string, err: unknown, deadline: Deadline): NotifyError {
  if (err instanceof NotifyError) return err;
  return deadline.timedOut
    ? retryable(
        'NOTIFY_TIMEOUT',
        `${receiver}: no answer within delivery.timeout (${formatDuration(deadline.ms)})`,
      )
    : retryable('NOTIFY_NETWORK', `${receiver}: ${(err as Error).message}`);
}

/** Classifies an HTTP status the way every HTTP notifier should. */
export function fromHttpStatus(
  receiver: string,
  status: number,
  retryAfter: string | null,
  now: number,
): NotifyError {
  let after: number | undefined;
  if (retryAfter) {
    const s = Number(retryAfter);
    after = Number.isFinite(s) ? s * 1000 : Math.max(0, Date.parse(retryAfter) - now) || undefined;
  }
  if (status === 429) return retryable('NOTIFY_RATE_LIMITED', `${receiver}: rate limited (HTTP 429)`, after);
  if (status >= 500)
    return retryable('NOTIFY_SERVER_ERROR', `${receiver}: server error (HTTP ${status})`, after);
  if (status === 408) return retryable('NOTIFY_TIMEOUT', `${receiver}: request timeout (HTTP 408)`);
  if (status === 401 || status === 403)
    return permanent('NOTIFY_AUTH', `${receiver}: not authorized (HTTP ${status}); check the credentials`);
  return permanent('NOTIFY_REJECTED', `${receiver}: rejected (HTTP ${status})`);
}

/** Network failures (refused, reset, DNS, timeouts) are worth another try. */
export function fromNetworkError(receiver: string, err: unknown, signal?: AbortSignal): NotifyError {
  if (signal?.aborted) throw signal.reason ?? err;
  const e = err as {
    name?: string;
    code?: string;
    cause?: { code?: string; message?: string; errors?: { code?: string }[] };
  };
  if (e.name === 'TimeoutError')
    return retryable('NOTIFY_TIMEOUT', `${receiver}: no answer in time`, undefined, err);
  // fetch says only "TypeError: fetch failed"; the cause (ECONNREFUSED, ENOTFOUND...) is the news.
  const cause = e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message;
  return retryable(
    'NOTIFY_NETWORK',
    `${receiver}: network error (${cause ?? e.code ?? e.name ?? 'unknown'})`,
    undefined,
    err,
  );
}
