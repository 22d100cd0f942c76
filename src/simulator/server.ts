import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceKind } from '../normalize/sample.js';
import type { Clock } from '../util/clock.js';
import { verifyHs256 } from '../zoom/jwt.js';
import { Faults } from './faults.js';
import { PageTokens } from './page-tokens.js';
import { SimRateLimits } from './rate-limits.js';
import { instanceItem, listEnvelope, participantItem, qosItem } from './responses.js';
import { reportRoutes } from './report-routes.js';
import { HttpError, notLive, queryType, type Ctx, type Route } from './route.js';
import type { FaultKind, FaultSpec, Scenario, SimInstance, SimParticipant } from './scenario-types.js';
import { findPast, pastInRange, pastParticipants } from './past.js';

const FAULT_KINDS = new Set<string>(['429', '500', '502', '503', 'slow', 'reset', 'malformed', 'page_loop']);
import { World } from './world.js';

const KIND: Record<string, SourceKind> = { meetings: 'meeting', webinars: 'webinar' };

/**
 * Zoom's Dashboard QoS API, the OAuth token endpoint and the Video SDK session endpoints,
 * served from a scenario on an injected clock. Used by `qoswatch simulate`, the demo, the
 * tests and the benchmarks.
 */
export class ZoomSimulator {
  readonly world: World;
  readonly limits: SimRateLimits;
  readonly faults: Faults;
  private readonly pages: PageTokens;
  private readonly tokens = new Map<string, { account: string; expires: number }>();
  private readonly server: Server;
  private baseUrl = '';
  /** Requests by route name and HTTP status, e.g. `meeting-qos 200`. */
  readonly requests = new Map<string, number>();
  tokensIssued = 0;
  /** Called for each QoS page served: which participants' samples went out, and when (tests). */
  onServe: ((e: { instance: SimInstance; participants: string[]; at: number }) => void) | undefined;

  constructor(
    readonly scenario: Scenario,
    private readonly clock: Clock,
  ) {
    this.world = new World(scenario);
    this.limits = new SimRateLimits(scenario.limits);
    this.faults = new Faults(scenario.faults);
    this.pages = new PageTokens(scenario.pageTokenTtlMs);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.send(res, 500, { code: 500, message: String(err) });
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
    return this.baseUrl;
  }

  get url(): string {
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Makes every access token issued so far invalid (Zoom: revoked or expired). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  count(name: string, status: number): void {
    const k = `${name} ${status}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }

  /** Total requests that reached the API routes (not the token endpoint), any status. */
  apiRequests(): number {
    let n = 0;
    for (const [k, v] of this.requests) if (!k.startsWith('oauth')) n += v;
    return n;
  }

  private readonly routes: Route[] = [
    {
      name: 'list',
      pattern: /^\/v2\/metrics\/(meetings|webinars)$/,
      category: 'Resource-intensive',
      auth: 's2s',
      handle: (ctx, [kind]) => this.listInstances(ctx, KIND[kind!]!, kind!),
    },
    {
      name: 'participants',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)\/participants$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id]) => {
        const inst = this.instance(KIND[kind!]!, id!, ctx.now, queryType(ctx));
        return this.page(ctx, `p:${inst.uuid}`, 300, 30, this.listed(inst, ctx), 'participants', (p) =>
          participantItem(this.world, inst, p, ctx.now),
        );
      },
    },
    {
      name: 'qos',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)\/participants\/qos$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id]) =>
        this.qosList(ctx, this.instance(KIND[kind!]!, id!, ctx.now, queryType(ctx)), 'participants'),
    },
    {
      name: 'participant-qos',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)\/participants\/([^/]+)\/qos$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id, pid]) => {
        const inst = this.instance(KIND[kind!]!, id!, ctx.now, queryType(ctx));
        const who = decodeURIComponent(pid!);
        const p = this.listed(inst, ctx).find((x) => x.userId === who || (x.id !== '' && x.id === who));
        if (!p) throw new HttpError(404, 3001, 'Participant does not exist.');
        return qosItem(this.world, inst, p, ctx.now, queryType(ctx) === 'past');
      },
    },
    {
      name: 'sessions',
      pattern: /^\/v2\/videosdk\/sessions$/,
      category: 'Resource-intensive',
      auth: 'videosdk',
      handle: (ctx) => this.listInstances(ctx, 'session', 'sessions'),
    },
    {
      name: 'session-qos',
      pattern: /^\/v2\/videosdk\/sessions\/([^/]+)\/users\/qos$/,
      category: 'Heavy',
      auth: 'videosdk',
      handle: (ctx, [id]) =>
        this.qosList(ctx, this.instance('session', id!, ctx.now, queryType(ctx)), 'users'),
    },
    // Summaries, details, past instances, one Video SDK user: report-routes.ts.
    ...reportRoutes(this),
  ];

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const now = this.clock.now();
    if (url.pathname === '/oauth/token') return this.oauth(req, res, url, now);
    if (url.pathname.startsWith('/_sim/')) return this.control(req, res, url);
    const route = this.routes.find((r) => r.pattern.test(url.pathname));
    if (!route) {
      this.count('unknown', 404);
      this.send(res, 404, { code: 404, message: 'Not found.' });
      return;
    }
    if (req.method !== 'GET') {
      this.count(route.name, 405);
      this.send(res, 405, { code: 405, message: 'Method not allowed.' });
      return;
    }
    const account = route.auth === 's2s' ? this.s2sAccount(req, now) : this.videoSdkAccount(req, now);
    if (account === undefined) {
      this.count(route.name, 401);
      this.send(res, 401, { code: 124, message: 'Invalid access token.' });
      return;
    }
    const verdict = this.limits.check(account, route.category, now);
    if (!verdict.ok) {
      this.count(route.name, 429);
      this.send(res, 429, verdict.body, verdict.headers);
      return;
    }
    // A fault for this one request (X-Sim-Fault: 503 | 429 | slow | reset | malformed), else the scenario's.
    const asked = req.headers['x-sim-fault'];
    const fault =
      typeof asked === 'string' && FAULT_KINDS.has(asked)
        ? { kind: asked as FaultKind, delayMs: 2000 }
        : this.faults.take(url.pathname, now - this.scenario.start);
    if (fault && (await this.applyFault(fault, now, route, res, req))) return;
    // page_loop: every answer carries a new next_page_token that never ends (the first page again).
    const loop = fault?.kind === 'page_loop';
    if (loop) url.searchParams.delete('next_page_token');
    try {
      const params = route.pattern.exec(url.pathname)!.slice(1);
      const body = route.handle({ req, res, url, now, account }, params);
      if (loop) (body as { next_page_token?: string }).next_page_token = randomBytes(12).toString('hex');
      this.count(route.name, 200);
      this.send(res, 200, body, verdict.headers);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      this.count(route.name, err.status);
      this.send(res, err.status, { code: err.code, message: err.message }, verdict.headers);
    }
  }

  /** Returns true when the fault answered the request itself. */
  private async applyFault(
    fault: FaultSpec,
    now: number,
    route: Route,
    res: ServerResponse,
    req: IncomingMessage,
  ): Promise<boolean> {
    const { kind, delayMs } = fault;
    switch (kind) {
      case '429': {
        const wait = delayMs ?? 1000;
        const retryAfter =
          fault.retryAfter ??
          (fault.retryAfterFormat === 'date'
            ? new Date(now + wait).toISOString()
            : String(Math.ceil(wait / 1000)));
        this.count(route.name, 429);
        this.send(
          res,
          429,
          { code: 429, message: 'Too many requests.' },
          { 'X-RateLimit-Type': 'QPS', 'Retry-After': retryAfter },
        );
        return true;
      }
      case '500':
      case '502':
      case '503':
        this.count(route.name, Number(kind));
        this.send(res, Number(kind), {
          code: Number(kind),
          message: 'Internal error, please try again later.',
        });
        return true;
      case 'reset':
        this.count(route.name, 0);
        req.socket.destroy();
        return true;
      case 'malformed':
        this.count(route.name, 200);
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
        res.end('{"page_size": 10, "participants": [{"user_id": "1", "user_qos": [');
        return true;
      case 'page_loop':
        return false;
      case 'slow':
        // Real time on purpose: a slow answer exists to trip the client's real network timeout.
        await new Promise((r) => setTimeout(r, delayMs ?? 2000));
        return req.socket.destroyed;
    }
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }

  /** Participants an instance's lists show: live, those of the QoS window; past, everyone who joined. */
  listed(inst: SimInstance, ctx: Ctx): SimParticipant[] {
    return queryType(ctx) === 'past'
      ? pastParticipants(this.world, inst)
      : this.world.inQosList(inst, ctx.now);
  }

  /** The instance a path names: live (`type=live`, the default) or ended (`type=past`). */
  instance(kind: SourceKind, rawId: string, now: number, type: 'live' | 'past' = 'live'): SimInstance {
    // Zoom's router decodes a path segment once: a UUID that starts with "/" or holds "//"
    // must arrive encoded twice, or it is mangled and not found.
    let id = decodeURIComponent(rawId);
    if (id.startsWith('/') || id.includes('//')) throw notLive();
    if (id.includes('%')) id = decodeURIComponent(id);
    const inst = type === 'past' ? findPast(this.world, kind, id, now) : this.world.findLive(kind, id, now);
    if (!inst) throw notLive();
    return inst;
  }

  private pageSize(ctx: Ctx, max: number, dflt: number): number {
    const raw = ctx.url.searchParams.get('page_size');
    if (raw === null || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new HttpError(400, 300, `Invalid field: page_size must be 1 to ${max}.`);
    return n;
  }

  page<T>(
    ctx: Ctx,
    list: string,
    max: number,
    dflt: number,
    items: T[],
    key: string,
    render: (item: T) => unknown,
  ): Record<string, unknown> {
    queryType(ctx);
    const size = this.pageSize(ctx, max, dflt);
    const token = ctx.url.searchParams.get('next_page_token');
    let offset = 0;
    if (token) {
      const at = this.pages.redeem(token, list, ctx.now);
      if (at === undefined) throw new HttpError(400, 300, 'The next page token is invalid or expired.');
      offset = at;
    }
    const slice = items.slice(offset, offset + size);
    const next = offset + size < items.length ? this.pages.issue(list, offset + size, ctx.now) : '';
    const envelope = listEnvelope(ctx.now, size, items.length, next);
    // Video SDK answers carry a smaller envelope than the dashboard's (see the samples).
    if (key === 'users') return { page_size: size, next_page_token: next, users: slice.map(render) };
    if (key === 'sessions')
      return {
        from: envelope.from,
        to: envelope.to,
        page_size: size,
        next_page_token: next,
        sessions: slice.map(render),
      };
    return { ...envelope, [key]: slice.map(render) };
  }

  private listInstances(ctx: Ctx, kind: SourceKind, key: string): Record<string, unknown> {
    // The spec marks from and to required on every list, live ones included.
    if (!ctx.url.searchParams.get('from') || !ctx.url.searchParams.get('to'))
      throw new HttpError(400, 300, 'The from and to fields are required.');
    const p = ctx.url.searchParams;
    const listed =
      queryType(ctx) === 'past'
        ? pastInRange(this.world, kind, p.get('from')!, p.get('to')!, ctx.now)
        : this.world.liveInstances(kind, ctx.now);
    return this.page(ctx, `list:${kind}`, 300, 30, listed, key, (i) => instanceItem(this.world, i, ctx.now));
  }

  private qosList(ctx: Ctx, inst: SimInstance, key: string): Record<string, unknown> {
    const body = this.page(
      ctx,
      `q:${inst.kind}:${inst.uuid}`,
      10,
      inst.kind === 'session' ? 10 : 1,
      this.listed(inst, ctx),
      key,
      (p) => qosItem(this.world, inst, p, ctx.now, queryType(ctx) === 'past'),
    );
    if (this.onServe) {
      const served = (body[key] as { user_id?: string; id?: string }[]).map(
        (p) => (key === 'users' ? p.id : p.user_id) ?? '',
      );
      this.onServe({ instance: inst, participants: served, at: ctx.now });
    }
    return body;
  }

  private s2sAccount(req: IncomingMessage, now: number): string | undefined {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const t = m ? this.tokens.get(m[1]!) : undefined;
    return t && t.expires > now ? t.account : undefined;
  }

  private videoSdkAccount(req: IncomingMessage, now: number): string | undefined {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const claims = verifyHs256(m[1]!, this.scenario.videoSdk?.apiSecret);
    if (!claims || typeof claims.iss !== 'string' || typeof claims.exp !== 'number') return undefined;
    if (this.scenario.videoSdk && claims.iss !== this.scenario.videoSdk.apiKey) return undefined;
    if (claims.exp * 1000 <= now || (typeof claims.iat === 'number' && claims.exp - claims.iat > 48 * 3600))
      return undefined;
    return `videosdk:${claims.iss}`;
  }

  private async oauth(req: IncomingMessage, res: ServerResponse, url: URL, now: number): Promise<void> {
    if (req.method !== 'POST') {
      this.count('oauth', 405);
      this.send(res, 405, { reason: 'Method not allowed', error: 'invalid_request' });
      return;
    }
    // Faults whose path matches /oauth/token: the token endpoint fails as Zoom's does (5xx).
    const fault = this.faults.take(url.pathname, now - this.scenario.start, true);
    if (fault && ['500', '502', '503'].includes(fault.kind)) {
      this.count('oauth', Number(fault.kind));
      this.send(res, Number(fault.kind), { reason: 'Internal Error', error: 'server_error' });
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const param = (k: string): string | null => form.get(k) ?? url.searchParams.get(k);
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const [clientId, clientSecret] = basic
      ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')
      : [];
    const creds = this.scenario.credentials;
    if (param('grant_type') !== 'account_credentials' || !param('account_id')) {
      this.count('oauth', 400);
      this.send(res, 400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
      return;
    }
    if (
      !clientId ||
      !clientSecret ||
      (creds && (creds.clientId !== clientId || creds.clientSecret !== clientSecret))
    ) {
      this.count('oauth', 401);
      this.send(res, 401, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
      return;
    }
    if (creds && creds.accountId !== param('account_id')) {
      this.count('oauth', 400);
      this.send(res, 400, { reason: 'Invalid account_id', error: 'invalid_request' });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { account: param('account_id')!, expires: now + this.scenario.tokenTtlMs });
    this.tokensIssued++;
    this.count('oauth', 200);
    this.send(res, 200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: Math.floor(this.scenario.tokenTtlMs / 1000),
      scope: 'dashboard_meetings:read:admin dashboard_webinars:read:admin',
      api_url: this.baseUrl,
    });
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/_sim/status' && req.method === 'GET') {
      this.send(res, 200, {
        scenario: this.scenario.name,
        now: new Date(this.clock.now()).toISOString(),
        requests: Object.fromEntries(this.requests),
        refused: this.limits.refused,
        peak: Object.fromEntries(this.limits.peak),
        faults_served: Object.fromEntries(this.faults.served),
        tokens_issued: this.tokensIssued,
      });
      return;
    }
    if (url.pathname === '/_sim/faults' && req.method === 'POST') {
      this.faults.add(JSON.parse((await readBody(req)) || '{}') as FaultSpec);
      this.send(res, 200, { ok: true });
      return;
    }
    if (url.pathname === '/_sim/faults' && req.method === 'DELETE') {
      this.faults.clear();
      this.send(res, 200, { ok: true });
      return;
    }
    if (url.pathname === '/_sim/revoke' && req.method === 'POST') {
      this.revokeTokens();
      this.send(res, 200, { ok: true });
      return;
    }
    this.send(res, 404, { code: 404, message: 'Not found.' });
  }
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 413, 'Request body too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
