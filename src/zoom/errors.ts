/**
 * Every error the Zoom client throws, in one catalogue (after fastify's lib/errors.js): a
 * stable `code` to branch on, whether retrying later can help, and the cause. Messages name
 * the endpoint and what Zoom said; they never hold a token, secret or Authorization header.
 */
export type ZoomErrorCode =
  | 'ZOOM_INSTANCE_ENDED'
  | 'ZOOM_NOT_FOUND'
  | 'ZOOM_AUTH_FAILED'
  | 'ZOOM_RATE_LIMITED'
  | 'ZOOM_DAILY_LIMIT'
  | 'ZOOM_BUDGET_EXHAUSTED'
  | 'ZOOM_HTTP_ERROR'
  | 'ZOOM_NETWORK_ERROR'
  | 'ZOOM_TIMEOUT'
  | 'ZOOM_BAD_RESPONSE'
  | 'ZOOM_PAGE_TOKEN_EXPIRED'
  | 'ZOOM_INVALID_ID';

export class ZoomError extends Error {
  constructor(
    readonly code: ZoomErrorCode,
    message: string,
    readonly details: {
      status?: number;
      zoomCode?: number;
      endpoint?: string;
      retryable?: boolean;
      resetAt?: number;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ZoomError';
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get zoomCode(): number | undefined {
    return this.details.zoomCode;
  }
  /** True when the same call may succeed later (network trouble, 5xx, rate limits). */
  get retryable(): boolean {
    return this.details.retryable ?? false;
  }
}

export const isZoomError = (err: unknown, code?: ZoomErrorCode): err is ZoomError =>
  err instanceof ZoomError && (code === undefined || err.code === code);

/** Zoom's 404 with code 3001: the meeting does not exist or is no longer live. Not a failure. */
export const isEnded = (err: unknown): boolean => isZoomError(err, 'ZOOM_INSTANCE_ENDED');
