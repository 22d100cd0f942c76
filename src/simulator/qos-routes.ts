import type { SourceKind } from '../normalize/sample.js';
import { pastInRange } from './past.js';
import { instanceItem, participantItem, qosItem } from './responses.js';
import { HttpError, KIND, queryType, type Ctx, type Route, type RouteHost } from './route.js';
import type { SimInstance } from './scenario-types.js';

/** What the live poll's routes need besides the other routes': who hears of each QoS page served. */
export interface QosRouteHost extends RouteHost {
  readonly onServe: ((e: { instance: SimInstance; participants: string[]; at: number }) => void) | undefined;
}

/**
 * The live instances that started on `from`'s UTC day or later. Whether Zoom's live lists
 * filter by from/to is not documented: the simulator takes the stricter reading, so a client
 * whose range is too short misses a long meeting here as it might at Zoom.
 */
function startedSince(sim: QosRouteHost, live: SimInstance[], from: string): SimInstance[] {
  const lo = Date.parse(`${from.slice(0, 10)}T00:00:00Z`);
  return Number.isFinite(lo) ? live.filter((i) => sim.world.scenario.start + i.start >= lo) : live;
}

/**
 * The routes the live poll uses: the lists of meetings, webinars and Video SDK sessions, their
 * participants, the participants' QoS (every one, or one), with Zoom's rate-limit categories.
 */
// eslint-disable-next-line max-lines-per-function -- a table: one route a Zoom QoS endpoint
export function qosRoutes(sim: QosRouteHost): Route[] {
  const listInstances = (ctx: Ctx, kind: SourceKind, key: string): Record<string, unknown> => {
    // The spec marks from and to required on every list, live ones included.
    if (!ctx.url.searchParams.get('from') || !ctx.url.searchParams.get('to'))
      throw new HttpError(400, 300, 'The from and to fields are required.');
    const p = ctx.url.searchParams;
    const listed =
      queryType(ctx) === 'past'
        ? pastInRange(sim.world, kind, p.get('from')!, p.get('to')!, ctx.now)
        : startedSince(sim, sim.world.liveInstances(kind, ctx.now), p.get('from')!);
    return sim.pager.page(ctx, `list:${kind}`, 300, 30, listed, key, (i) =>
      instanceItem(sim.world, i, ctx.now),
    );
  };
  const qosList = (ctx: Ctx, inst: SimInstance, key: string): Record<string, unknown> => {
    const body = sim.pager.page(
      ctx,
      `q:${inst.kind}:${inst.uuid}`,
      10,
      inst.kind === 'session' ? 10 : 1,
      sim.listed(inst, ctx),
      key,
      (p) => qosItem(sim.world, inst, p, ctx.now, queryType(ctx) === 'past'),
    );
    if (sim.onServe) {
      const served = (body[key] as { user_id?: string; id?: string }[]).map(
        (p) => (key === 'users' ? p.id : p.user_id) ?? '',
      );
      sim.onServe({ instance: inst, participants: served, at: ctx.now });
    }
    return body;
  };
  return [
    {
      name: 'list',
      pattern: /^\/v2\/metrics\/(meetings|webinars)$/,
      category: 'Resource-intensive',
      auth: 's2s',
      handle: (ctx, [kind]) => listInstances(ctx, KIND[kind!]!, kind!),
    },
    {
      name: 'participants',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)\/participants$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id]) => {
        const inst = sim.instance(KIND[kind!]!, id!, ctx.now, queryType(ctx));
        return sim.pager.page(ctx, `p:${inst.uuid}`, 300, 30, sim.listed(inst, ctx), 'participants', (p) =>
          participantItem(sim.world, inst, p, ctx.now),
        );
      },
    },
    {
      name: 'qos',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)\/participants\/qos$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id]) =>
        qosList(ctx, sim.instance(KIND[kind!]!, id!, ctx.now, queryType(ctx)), 'participants'),
    },
    {
      name: 'participant-qos',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)\/participants\/([^/]+)\/qos$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id, pid]) => {
        const inst = sim.instance(KIND[kind!]!, id!, ctx.now, queryType(ctx));
        const who = decodeURIComponent(pid!);
        const p = sim.listed(inst, ctx).find((x) => x.userId === who || (x.id !== '' && x.id === who));
        if (!p) throw new HttpError(404, 3001, 'Participant does not exist.');
        return qosItem(sim.world, inst, p, ctx.now, queryType(ctx) === 'past');
      },
    },
    {
      name: 'sessions',
      pattern: /^\/v2\/videosdk\/sessions$/,
      category: 'Resource-intensive',
      auth: 'videosdk',
      handle: (ctx) => listInstances(ctx, 'session', 'sessions'),
    },
    {
      name: 'session-qos',
      pattern: /^\/v2\/videosdk\/sessions\/([^/]+)\/users\/qos$/,
      category: 'Heavy',
      auth: 'videosdk',
      handle: (ctx, [id]) => qosList(ctx, sim.instance('session', id!, ctx.now, queryType(ctx)), 'users'),
    },
  ];
}
