import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceKind } from '../normalize/sample.js';
import type { Clock } from '../util/clock.js';
import { SimAuth } from './auth.js';
import { control } from './control.js';
import { answerFault, Faults, pagingFault } from './faults.js';
import { send } from './http.js';
import { Pager } from './paging.js';
import { findPast, pastParticipants } from './past.js';
import { qosRoutes } from './qos-routes.js';
import { SimRateLimits } from './rate-limits.js';
import { reportRoutes } from './report-routes.js';
import { HttpError, notLive, queryType, type Ctx, type Route } from './route.js';
import type { Scenario, SimInstance, SimParticipant } from './scenario-types.js';
import { World } from './world.js';

/**
 * Zoom's Dashboard QoS API, the OAuth token endpoint and the Video SDK session endpoints,
 * served from a scenario on an injected clock. Used by `qoswatch simulate`, the demo, the
 * tests and the benchmarks.
 *
 * This file is the HTTP server and the order a request goes through: the token endpoint
 * (auth.ts) or the control routes (control.ts), else the route (qos-routes.ts,
 * report-routes.ts), its authorization, Zoom's rate limits (rate-limits.ts), an injected fault
 * (faults.ts), and the route's answer, paged as Zoom pages (paging.ts).
 */
export class ZoomSimulator {
  readonly world: World;
  readonly limits: SimRateLimits;
  readonly faults: Faults;
  /** Zoom's paging, for the routes. */
  readonly pager: Pager;
  private readonly auth: SimAuth;
  private readonly server: Server;
  private baseUrl = '';
  /** Requests by route name and HTTP status, e.g. `meeting-qos 200`. */
  readonly requests = new Map<string, number>();
  /** TCP connections accepted so far: a client that reuses its connections opens few. */
  connections = 0;
  /** Called for each QoS page served: which participants' samples went out, and when (tests). */
  onServe: ((e: { instance: SimInstance; participants: string[]; at: number }) => void) | undefined;

  constructor(
    readonly scenario: Scenario,
    private readonly clock: Clock,
  ) {
    this.world = new World(scenario);
    this.limits = new SimRateLimits(scenario.limits);
    this.faults = new Faults(scenario.faults);
    this.pager = new Pager(scenario.pageTokenTtlMs);
    this.auth = new SimAuth(scenario, this.faults, (name, status) => this.count(name, status));
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, { code: 500, message: String(err) });
      });
    });
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', () => this.connections++);
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

  /** Access tokens issued so far. */
  get tokensIssued(): number {
    return this.auth.issued;
  }

  /** Makes every access token issued so far invalid (Zoom: revoked or expired). */
  revokeTokens(): void {
    this.auth.revoke();
  }

  /**
   * Rewrites every token answer from now on (tests: a field Zoom should not send); the token
   * itself still lives the scenario's token_ttl.
   */
  editTokenAnswers(edit: (answer: Record<string, unknown>) => Record<string, unknown>): void {
    this.auth.editAnswer = edit;
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
    // Lists, participants and their QoS (the live poll's): qos-routes.ts.
    ...qosRoutes(this),
    // Summaries, details, past instances, one Video SDK user: report-routes.ts.
    ...reportRoutes(this),
  ];

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const now = this.clock.now();
    // Zoom's Date is Zoom's clock: the scenario's, which may run faster than real time.
    res.setHeader('date', new Date(now).toUTCString());
    if (url.pathname === '/oauth/token') return this.auth.token(req, res, url, now, this.baseUrl);
    if (url.pathname.startsWith('/_sim/')) return control(this, now, req, res, url);
    const route = this.routes.find((r) => r.pattern.test(url.pathname));
    const refuse = (name: string, status: number, code: number, message: string): void => {
      this.count(name, status);
      send(res, status, { code, message });
    };
    if (!route) {
      refuse('unknown', 404, 404, 'Not found.');
      return;
    }
    if (req.method !== 'GET') {
      refuse(route.name, 405, 405, 'Method not allowed.');
      return;
    }
    const account =
      route.auth === 's2s' ? this.auth.s2sAccount(req, now) : this.auth.videoSdkAccount(req, now);
    if (account === undefined) {
      refuse(route.name, 401, 124, 'Invalid access token.');
      return;
    }
    const verdict = this.limits.check(account, route.category, now);
    if (!verdict.ok) {
      this.count(route.name, 429);
      send(res, 429, verdict.body, verdict.headers);
      return;
    }
    const fault = this.faults.forRequest(req, url.pathname, now - this.scenario.start);
    const countFault = (status: number): void => this.count(route.name, status);
    if (fault && (await answerFault(fault, now, req, res, countFault))) return;
    // page_loop: every answer the first page, with a new next_page_token; page_wrap: the last
    // page's token leads to the first page again.
    const paging = pagingFault(fault, url);
    try {
      const params = route.pattern.exec(url.pathname)!.slice(1);
      const body = route.handle({ req, res, url, now, account }, params);
      paging?.(body);
      this.count(route.name, 200);
      send(res, 200, body, verdict.headers);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      this.count(route.name, err.status);
      send(res, err.status, { code: err.code, message: err.message }, verdict.headers);
    }
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
}
