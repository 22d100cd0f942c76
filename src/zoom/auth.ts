import type { Clock } from '../util/clock.js';
import { durationMs } from '../util/duration.js';
import { causeCode, parseAnswer, pastInWords } from './classify.js';
import { AnswerPastCap, bytesInWords, unreadAnswer } from './capped-body.js';
import { jsonPast } from '../util/json-count.js';
import { proxyHint } from './proxy.js';
import { ZoomError } from './errors.js';
import { Deadline } from '../util/deadline.js';
import { isJsonObject } from '../util/json-object.js';
import { http, type ZoomOptions } from './http.js';
import { signHs256 } from './jwt.js';
import { DEFAULT_ZOOM_TIMEOUT } from './limits.js';
import {
  expiresInWarning,
  readAccessToken,
  readExpiresIn,
  readTokenApiUrl,
  TOKEN_ANSWER_BOUNDS,
  TOKEN_ANSWER_BYTES,
  ZOOM_TOKEN_SECONDS,
} from './token-answer.js';
import type { Logger } from 'pino';
import { silentLogger } from '../util/logger.js';
import { hideValues } from '../util/hide-values.js';
import { secretForms } from '../util/log-secrets.js';
import { REDACTED } from '../util/redact-pairs.js';

/** Something that can put an Authorization header on a Zoom call. */
export interface AuthProvider {
  /** The header value to send, and the API base URL the credentials point at (regional hosts). */
  authorize(signal?: AbortSignal): Promise<{ header: string; apiBase?: string }>;
  /** The header was refused (401): drop it so the next authorize() gets a fresh one. */
  invalidate(header: string): void;
}

export interface S2SCredentials {
  /** Token endpoint, e.g. https://zoom.us/oauth/token. */
  oauthUrl: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
}

/** Renew this long before Zoom's expiry, so a token never dies mid-cycle. */
const RENEW_MARGIN_MS = 5 * 60_000;

/**
 * Server-to-Server OAuth (account credentials grant). One token is cached until shortly
 * before it expires; concurrent callers share a single refresh; Zoom's `api_url` is honoured.
 */
export class S2SOAuth implements AuthProvider {
  private token: { header: string; apiBase?: string; renewAt: number } | undefined;
  private pending: Promise<{ header: string; apiBase?: string }> | undefined;
  /** Tokens fetched so far (tests and metrics). */
  fetched = 0;
  /** What was wrong with the last unusable `api_url` warned about: each token repeats it. */
  private apiUrlWarned: string | undefined;
  /** What was wrong with the last unusable `expires_in` warned about. */
  private expiresInWarned: string | undefined;

  constructor(
    private readonly creds: S2SCredentials,
    private readonly clock: Clock,
    /** Bound on one token request: zoom.timeout, as for every other call. */
    private readonly timeoutMs = durationMs(DEFAULT_ZOOM_TIMEOUT),
    private readonly log: Logger = silentLogger(),
  ) {}

  /**
   * The token, from the cache or the refresh all callers share. A caller whose `signal` aborts
   * (the daemon's stop, once shutdown_timeout is over) stops waiting at once, with the signal's
   * reason; the shared refresh goes on for the others, bounded by zoom.timeout. It once ignored
   * the signal: a token endpoint that hung held SIGTERM's stop past the grace (exit 1, nothing saved).
   */
  authorize(signal?: AbortSignal): Promise<{ header: string; apiBase?: string }> {
    if (this.token && this.clock.now() < this.token.renewAt) return Promise.resolve(this.token);
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return untilAborted(this.pending, signal);
  }

  invalidate(header: string): void {
    if (this.token?.header === header) this.token = undefined;
  }

  /** `: what Zoom said`, scrubbed of the credentials, or nothing. */
  private said(body: { reason?: unknown; error?: unknown }): string {
    const parts = [body.error, body.reason].filter((v): v is string => typeof v === 'string' && v !== '');
    return parts.length ? `: ${scrubTokenError(parts.join(': '), this.creds)}` : '';
  }

  /**
   * The token endpoint's answer and its whole body's bytes, within zoom.timeout (Deadline). An
   * error's body past 64 KiB is as if empty (transport.ts): the answer is its status.
   */
  private async askToken(): Promise<{ res: Response; bytes: Uint8Array }> {
    const basic = Buffer.from(`${this.creds.clientId}:${this.creds.clientSecret}`).toString('base64');
    const ky = await http();
    const deadline = new Deadline(this.timeoutMs);
    const options: ZoomOptions = {
      body: new URLSearchParams({ grant_type: 'account_credentials', account_id: this.creds.accountId }),
      headers: { authorization: `Basic ${basic}` },
      throwHttpErrors: false,
      retry: 0,
      timeout: false,
      signal: deadline.signal,
      maxBytes: TOKEN_ANSWER_BYTES,
    };
    try {
      const res = await ky.post(this.creds.oauthUrl, options);
      // Read whole or not at all: a body cut short is a network error, as a reset is.
      return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
    } catch (err) {
      const unread = unreadAnswer(err);
      if (unread instanceof AnswerPastCap)
        throw tokenTooLarge(`is larger than ${bytesInWords(TOKEN_ANSWER_BYTES)}`);
      if (unread) throw tokenNotRead(unread.why);
      // Quoted: a credential in its query is hidden to the quote (util/url-ends.ts), not to the line's end.
      const endpoint = JSON.stringify(this.creds.oauthUrl);
      throw new ZoomError(
        deadline.timedOut ? 'ZOOM_TIMEOUT' : 'ZOOM_NETWORK_ERROR',
        deadline.timedOut
          ? `Zoom's token endpoint ${endpoint} did not answer within ${this.timeoutMs} ms; ${AGAIN}`
          : `cannot reach Zoom's token endpoint ${endpoint}: ${causeCode(err)}${proxyHint(err)}`,
        {
          endpoint: 'oauth-token',
          retryable: true,
        },
        // The cause is kept out: ky's errors carry the request, and with it the Basic credentials.
      );
    } finally {
      deadline.end();
    }
  }

  private async fetchToken(): Promise<{ header: string; apiBase?: string }> {
    const { res, bytes } = await this.askToken();
    const past = jsonPast(bytes, TOKEN_ANSWER_BOUNDS);
    // An error answer past the bounds is its status, its body as if empty (a deep 401 is an auth
    // failure, not a bad answer retried: as classify.ts judges the API's, a9b15cc).
    if (past && res.ok) throw tokenTooLarge(`(HTTP ${res.status}) ${pastInWords(past)}`, res.status);
    const body = (past ? {} : jsonObject(bytes)) as {
      access_token?: unknown;
      expires_in?: unknown;
      api_url?: unknown;
      reason?: unknown;
      error?: unknown;
    };
    if (res.status >= 500) {
      // The endpoint failed, not the credentials: say so, and that it is retried.
      throw new ZoomError(
        'ZOOM_HTTP_ERROR',
        `Zoom's token endpoint failed (HTTP ${res.status}${this.said(body)}); ${AGAIN}`,
        { endpoint: 'oauth-token', status: res.status, retryable: true },
      );
    }
    if (!res.ok) {
      throw new ZoomError(
        'ZOOM_AUTH_FAILED',
        `Zoom refused the Server-to-Server OAuth credentials (account ${this.creds.accountId}, HTTP ${res.status}${this.said(body)}). Check zoom.account_id, client_id and client_secret.`,
        { endpoint: 'oauth-token', status: res.status, retryable: false },
      );
    }
    const access = readAccessToken(body.access_token);
    if ('wrong' in access)
      // Not cached: the next call asks for a new one. Neither budget nor permit was taken.
      throw new ZoomError(
        'ZOOM_BAD_RESPONSE',
        'absent' in access
          ? `Zoom's token endpoint answered HTTP ${res.status} without a token: its access_token is ${access.wrong}${this.said(body)}; ${AGAIN}`
          : `Zoom's token endpoint answered an access_token that is ${access.wrong}, which an Authorization header cannot carry (visible ASCII only): not used; ${AGAIN}`,
        { endpoint: 'oauth-token', status: res.status, retryable: true },
      );
    this.fetched++;
    const ttl = this.lifetimeOf(body.expires_in) * 1000;
    const apiBase = this.apiBaseOf(body.api_url);
    this.token = {
      header: `Bearer ${access.token}`,
      ...(apiBase !== undefined ? { apiBase } : {}),
      renewAt: this.clock.now() + Math.max(ttl / 2, ttl - RENEW_MARGIN_MS),
    };
    return this.token;
  }

  /** The token's lifetime in seconds: its expires_in, or Zoom's 3600 with one warning per distinct fault. */
  private lifetimeOf(value: unknown): number {
    const read = readExpiresIn(value);
    if ('seconds' in read) return read.seconds;
    if (this.expiresInWarned !== read.wrong)
      this.log.warn({ tokenExpiresIn: read.wrong }, expiresInWarning(read.wrong));
    this.expiresInWarned = read.wrong;
    return ZOOM_TOKEN_SECONDS;
  }

  /**
   * The token's `api_url` if it is an http(s) URL without credentials that zoom.api_url's check
   * passes. Anything else (a number, null, no scheme, ftp:, user:password, megabytes, port 0)
   * once made every call fail; it is now left out, with one warning per distinct fault, and
   * zoom.api_url is used.
   */
  private apiBaseOf(value: unknown): string | undefined {
    const read = readTokenApiUrl(value);
    if (read === undefined || 'url' in read) return read?.url;
    if (this.apiUrlWarned !== read.wrong)
      this.log.warn(
        { tokenApiUrl: read.wrong },
        `Zoom's token answer names api_url ${read.wrong} (not used: API calls go to zoom.api_url as configured)`,
      );
    this.apiUrlWarned = read.wrong;
    return undefined;
  }
}

/** `shared`'s outcome, or `signal`'s reason as soon as it aborts (`shared` itself goes on). */
function untilAborted<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const abortReason = (signal: AbortSignal): Error =>
  signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The operation was aborted', 'AbortError');

/**
 * A token answer larger than any of Zoom's (`what` says how), not read (or not parsed): none of
 * its text is quoted, as it may hold the token or echo the credentials.
 */
const tokenTooLarge = (what: string, status?: number): ZoomError =>
  new ZoomError(
    'ZOOM_BAD_RESPONSE',
    `Zoom's token endpoint's answer ${what}, more than a token answer can: not read; ${AGAIN}`,
    { endpoint: 'oauth-token', ...(status !== undefined ? { status } : {}), retryable: true },
  );

/** A token answer qoswatch cannot decode (`why`: capped-body.ts AnswerNotDecoded), none of it quoted. */
const tokenNotRead = (why: string): ZoomError =>
  new ZoomError('ZOOM_BAD_RESPONSE', `Zoom's token endpoint's answer ${why}; ${AGAIN}`, {
    endpoint: 'oauth-token',
    retryable: true,
  });

/** What happens next after a token endpoint failure: the daemon goes on, a one-shot command stops. */
const AGAIN =
  'the daemon asks again at its next call; a one-shot command (report, inspect, once) stops here: run it again later, and if it persists check zoom.oauth_url and the network to it';

/**
 * What a token endpoint's error body says, scrubbed: the client id and secret (plain, and in the
 * forms the log hides: util/log-secrets.ts secretForms) and the Basic header's credential
 * `client_id:secret` (as it is and in those forms: base64 padded or not, base64url...) are
 * replaced, control characters dropped, at most 200 characters. Hidden before the cut: a form
 * cut short (`form=p%40ss%2Fw%2Br...`) is no longer one the log knows.
 */
export function scrubTokenError(
  text: string,
  creds: Pick<S2SCredentials, 'clientId' | 'clientSecret'>,
): string {
  const credential = `${creds.clientId}:${creds.clientSecret}`;
  const basic = Buffer.from(credential).toString('base64'); // hidden whatever the credential's length
  const values = [basic, credential, creds.clientSecret, creds.clientId];
  let out = hideValues(text, values, REDACTED, 3, secretForms);
  // eslint-disable-next-line no-control-regex -- Zoom's error text is logged on one line, controls out
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return out.length > 200 ? `${out.slice(0, 200)}...` : out;
}

/** A JSON object's text parsed; anything else (not JSON, not an object) is an empty object. */
function jsonObject(bytes: Uint8Array): object {
  try {
    const v: unknown = parseAnswer({ bytes });
    return isJsonObject(v) ? v : {};
  } catch {
    return {};
  }
}

/** Video SDK REST API: an HS256 JWT signed with the SDK's API secret, renewed before it expires. */
export class VideoSdkJwt implements AuthProvider {
  private token: { header: string; renewAt: number } | undefined;

  constructor(
    private readonly apiKey: string,
    private readonly apiSecret: string,
    private readonly clock: Clock,
    private readonly ttlSeconds = 3600,
  ) {
    if (ttlSeconds > 3600) throw new RangeError('a Video SDK JWT lives one hour at most');
  }

  authorize(): Promise<{ header: string }> {
    const now = this.clock.now();
    if (!this.token || now >= this.token.renewAt) {
      const iat = Math.floor(now / 1000);
      const exp = iat + this.ttlSeconds;
      this.token = {
        header: `Bearer ${signHs256({ iss: this.apiKey, iat, exp }, this.apiSecret)}`,
        renewAt: (exp - Math.min(300, this.ttlSeconds / 2)) * 1000,
      };
    }
    return Promise.resolve({ header: this.token.header });
  }

  invalidate(header: string): void {
    if (this.token?.header === header) this.token = undefined;
  }
}
