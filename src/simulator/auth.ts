import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyHs256 } from '../zoom/jwt.js';
import type { Faults } from './faults.js';
import { readBody, send } from './http.js';
import type { Scenario } from './scenario-types.js';

/**
 * Who may call: Zoom's Server-to-Server OAuth token endpoint (account_credentials grants, the
 * tokens it issued and when they expire) and Video SDK JWTs (HS256, signed with the API secret).
 */
export class SimAuth {
  private readonly tokens = new Map<string, { account: string; expires: number }>();
  /** Access tokens issued so far (tests). */
  issued = 0;
  /** Rewrites each token answer before it is sent (tests: an expires_in Zoom should not send). */
  editAnswer: ((answer: Record<string, unknown>) => Record<string, unknown>) | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly faults: Faults,
    /** Counts a request by route name and HTTP status. */
    private readonly count: (name: string, status: number) => void,
  ) {}

  /** Makes every access token issued so far invalid (Zoom: revoked or expired). */
  revoke(): void {
    this.tokens.clear();
  }

  /** The account of a Server-to-Server OAuth bearer token still valid at `now`. */
  s2sAccount(req: IncomingMessage, now: number): string | undefined {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const t = m ? this.tokens.get(m[1]!) : undefined;
    return t && t.expires > now ? t.account : undefined;
  }

  /** The account (`videosdk:<key>`) of a Video SDK JWT valid at `now`. */
  videoSdkAccount(req: IncomingMessage, now: number): string | undefined {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const claims = verifyHs256(m[1]!, this.scenario.videoSdk?.apiSecret);
    if (!claims || typeof claims.iss !== 'string' || typeof claims.exp !== 'number') return undefined;
    if (this.scenario.videoSdk && claims.iss !== this.scenario.videoSdk.apiKey) return undefined;
    if (claims.exp * 1000 <= now || (typeof claims.iat === 'number' && claims.exp - claims.iat > 48 * 3600))
      return undefined;
    return `videosdk:${claims.iss}`;
  }

  /** `POST /oauth/token`: a token for `apiUrl`, or Zoom's refusal (counted under `oauth`). */
  async token(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    now: number,
    apiUrl: string,
  ): Promise<void> {
    const [status, body] = await this.answer(req, url, now, apiUrl);
    this.count('oauth', status);
    send(res, status, body);
  }

  private async answer(
    req: IncomingMessage,
    url: URL,
    now: number,
    apiUrl: string,
  ): Promise<[number, object]> {
    const refuse = (status: number, reason: string, error: string): [number, object] => [
      status,
      { reason, error },
    ];
    if (req.method !== 'POST') return refuse(405, 'Method not allowed', 'invalid_request');
    // Faults whose path matches /oauth/token: the token endpoint fails as Zoom's does (5xx).
    const fault = this.faults.take(url.pathname, now - this.scenario.start, true);
    if (fault && ['500', '502', '503'].includes(fault.kind))
      return refuse(Number(fault.kind), 'Internal Error', 'server_error');
    const form = new URLSearchParams(await readBody(req));
    const param = (k: string): string | null => form.get(k) ?? url.searchParams.get(k);
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const [clientId, clientSecret] = basic
      ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')
      : [];
    const creds = this.scenario.credentials;
    if (param('grant_type') !== 'account_credentials' || !param('account_id'))
      return refuse(400, 'Unsupported grant type', 'unsupported_grant_type');
    if (
      !clientId ||
      !clientSecret ||
      (creds && (creds.clientId !== clientId || creds.clientSecret !== clientSecret))
    )
      return refuse(401, 'Invalid client_id or client_secret', 'invalid_client');
    if (creds && creds.accountId !== param('account_id'))
      return refuse(400, 'Invalid account_id', 'invalid_request');
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { account: param('account_id')!, expires: now + this.scenario.tokenTtlMs });
    this.issued++;
    const answer = {
      access_token: token,
      token_type: 'bearer',
      expires_in: Math.floor(this.scenario.tokenTtlMs / 1000),
      scope: 'dashboard_meetings:read:admin dashboard_webinars:read:admin',
      api_url: apiUrl,
    };
    return [200, this.editAnswer ? this.editAnswer(answer) : answer];
  }
}
