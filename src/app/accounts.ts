import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { FieldDef } from '../normalize/catalog.js';
import type { SourceKind } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';
import { DashboardSource } from '../poll/dashboard-source.js';
import { SessionSource } from '../poll/session-source.js';
import type { PollSource } from '../poll/source.js';
import type { Clock } from '../util/clock.js';
import type { StateFiles } from '../util/state-files.js';
import { S2SOAuth, VideoSdkJwt, type AuthProvider } from '../zoom/auth.js';
import { FileBudgetStore } from '../zoom/budget-file.js';
import { ZoomClient } from '../zoom/client.js';
import type { RateLimits } from '../zoom/limits.js';
import type { VideoSdkSettings, ZoomAccountSettings, ZoomOAuthSettings } from '../zoom/settings.js';
import type { DateClockMode } from '../zoom/zoom-clock.js';

/** What building a client or a source needs from the daemon. */
export interface BuildContext {
  clock: Clock;
  log: Logger;
  stateDir: string;
  stateFiles: StateFiles;
  normalizeStats: NormalizeStats;
  /** The fields only the participants list gives that must be read, per kind (app/list-demand.ts). */
  listFields?: (kind: SourceKind) => readonly FieldDef[];
}

/** What building a client needs (a one-off command such as `qoswatch report` has no normalize stats). */
export type ClientContext = Pick<BuildContext, 'clock' | 'log' | 'stateDir' | 'stateFiles'>;

/** How a client differs from the daemon's: a report takes a share of the rate. */
export interface ClientOverrides {
  /** The limits the client keeps to, from the account's (default: the account's). */
  limits?: (l: RateLimits) => RateLimits;
  /** Whether an answer's `Date` is bounded by this machine's clock (default: the account's `date_clock`). */
  dateClock?: DateClockMode;
}

/** The Zoom clients of the configured accounts, the sources polling them, and their budget files. */
export interface Accounts {
  clients: { zoom?: ZoomClient; videosdk?: ZoomClient };
  sources: PollSource[];
  budgetStores: FileBudgetStore[];
}

/** A client of one account, its daily budget counted in `<state dir>/budget-<name>.json`. */
function accountClient(
  name: 'zoom' | 'videosdk',
  account: ZoomAccountSettings,
  auth: AuthProvider,
  ctx: ClientContext,
  overrides: ClientOverrides,
): { client: ZoomClient; store: FileBudgetStore } {
  const store = new FileBudgetStore(ctx.stateDir, name, ctx.stateFiles);
  const client = new ZoomClient({
    apiUrl: account.apiUrl,
    auth,
    limits: overrides.limits ? overrides.limits(account.limits) : account.limits,
    dailyShare: account.dailyShare,
    clock: ctx.clock,
    budgetStore: store,
    logger: ctx.log.child({ component: name }),
    timeoutMs: account.timeoutMs,
    dateClock: overrides.dateClock ?? account.dateClock,
  });
  return { client, store };
}

/** The Zoom account (Server-to-Server OAuth): meetings and webinars. */
export function buildZoomClient(
  z: ZoomOAuthSettings,
  ctx: ClientContext,
  overrides: ClientOverrides = {},
): { client: ZoomClient; store: FileBudgetStore } {
  const auth = new S2SOAuth(
    { oauthUrl: z.oauthUrl, accountId: z.accountId, clientId: z.clientId, clientSecret: z.clientSecret },
    ctx.clock,
    z.timeoutMs,
    ctx.log.child({ component: 'zoom' }),
  );
  return accountClient('zoom', z, auth, ctx, overrides);
}

/** The Video SDK account (JWT from the SDK key and secret): sessions. */
export function buildVideoSdkClient(
  v: VideoSdkSettings,
  ctx: ClientContext,
  overrides: ClientOverrides = {},
): { client: ZoomClient; store: FileBudgetStore } {
  return accountClient('videosdk', v, new VideoSdkJwt(v.apiKey, v.apiSecret, ctx.clock), ctx, overrides);
}

/** The meeting and webinar sources of the Zoom account, as `sources:` turns them on. */
export function buildDashboardSources(config: Config, client: ZoomClient, ctx: BuildContext): PollSource[] {
  const kinds = [
    ...(config.sources.meetings ? (['meeting'] as const) : []),
    ...(config.sources.webinars ? (['webinar'] as const) : []),
  ];
  return kinds.map(
    (kind) =>
      new DashboardSource(
        kind,
        client,
        ctx.clock,
        ctx.normalizeStats,
        ctx.log,
        config.poll.contextRefreshMs,
        {
          fields: () => ctx.listFields?.(kind) ?? [],
          verdictRefreshMs: config.poll.verdictRefreshMs,
        },
      ),
  );
}

/** The Video SDK session source. */
export function buildSessionSource(client: ZoomClient, ctx: BuildContext): PollSource {
  return new SessionSource(client, ctx.clock, ctx.normalizeStats, ctx.log);
}

/** Every configured account's client and the sources that poll it (the one place they are built). */
export function buildAccounts(config: Config, ctx: BuildContext): Accounts {
  const accounts: Accounts = { clients: {}, sources: [], budgetStores: [] };
  if (config.zoom) {
    const { client, store } = buildZoomClient(config.zoom, ctx);
    accounts.clients.zoom = client;
    accounts.budgetStores.push(store);
    accounts.sources.push(...buildDashboardSources(config, client, ctx));
  }
  if (config.videosdk && config.sources.sessions) {
    const { client, store } = buildVideoSdkClient(config.videosdk, ctx);
    accounts.clients.videosdk = client;
    accounts.budgetStores.push(store);
    accounts.sources.push(buildSessionSource(client, ctx));
  }
  return accounts;
}
