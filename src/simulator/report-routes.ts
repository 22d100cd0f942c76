import type { SourceKind } from '../normalize/sample.js';
import { instancesBody, pastInstances, pastParticipants, summaryItem } from './past.js';
import { instanceItem, qosItem } from './responses.js';
import { HttpError, KIND, notLive, queryType, type Ctx, type Route, type RouteHost } from './route.js';
import { zoomTime } from '../util/zoom-time.js';

/**
 * No QoS Subscription: Zoom's docs say the summary needs the add-on but print no error for
 * its absence; the simulator answers 403 with code 200 ("No permission"), Zoom's code for a
 * feature the account lacks. The report must fall back on any refusal, whatever its code.
 */
export const NO_QSS = {
  status: 403,
  code: 200,
  message: 'No permission: the account has no QoS Subscription.',
};

/**
 * The routes `qoswatch report` and `inspect` use besides the live poll's: QoS summaries
 * (past instances, QSS accounts only), instance details, the past instances of a number, and
 * one Video SDK user's QoS.
 */
// eslint-disable-next-line max-lines-per-function -- a table: one route a Zoom report endpoint
export function reportRoutes(sim: RouteHost): Route[] {
  const summary = (kind: SourceKind, id: string, ctx: Ctx, key: string): unknown => {
    if (!sim.scenario.qosSummary) throw new HttpError(NO_QSS.status, NO_QSS.code, NO_QSS.message);
    const inst = sim.instance(kind, id, ctx.now, 'past');
    const body = sim.pager.page(
      ctx,
      `s:${kind}:${inst.uuid}`,
      10,
      1,
      pastParticipants(sim.world, inst),
      key,
      (p) => summaryItem(sim.world, inst, p),
    );
    // The examples' envelope: no from/to/page_count/total_records.
    return { next_page_token: body.next_page_token, page_size: body.page_size, [key]: body[key] };
  };
  const details = (kind: SourceKind, id: string, ctx: Ctx): unknown => {
    const type = queryType(ctx);
    const inst = sim.instance(kind, id, ctx.now, type);
    const body = instanceItem(sim.world, inst, ctx.now);
    if (type === 'live') return body;
    const start = sim.world.scenario.start + inst.start;
    const end = sim.world.scenario.start + inst.end;
    const count = pastParticipants(sim.world, inst).length;
    const h = Math.floor((end - start) / 3_600_000);
    const m = Math.floor(((end - start) % 3_600_000) / 60_000);
    return {
      ...body,
      end_time: zoomTime(end),
      duration: `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
      ...(kind === 'session' ? { user_count: count } : { participants: count }),
    };
  };
  return [
    {
      name: 'qos-summary',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)\/participants\/qos_summary$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id]) => summary(KIND[kind!]!, id!, ctx, 'participants'),
    },
    {
      name: 'session-qos-summary',
      pattern: /^\/v2\/videosdk\/sessions\/([^/]+)\/users\/qos_summary$/,
      category: 'Heavy',
      auth: 'videosdk',
      handle: (ctx, [id]) => summary('session', id!, ctx, 'users'),
    },
    {
      name: 'details',
      pattern: /^\/v2\/metrics\/(meetings|webinars)\/([^/]+)$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id]) => details(KIND[kind!]!, id!, ctx),
    },
    {
      name: 'session-details',
      pattern: /^\/v2\/videosdk\/sessions\/([^/]+)$/,
      category: 'Heavy',
      auth: 'videosdk',
      handle: (ctx, [id]) => details('session', id!, ctx),
    },
    {
      name: 'past-instances',
      pattern: /^\/v2\/past_(meetings|webinars)\/([^/]+)\/instances$/,
      category: 'Heavy',
      auth: 's2s',
      handle: (ctx, [kind, id]) => {
        const k = KIND[kind!]!;
        const number = decodeURIComponent(id!);
        const known = sim.world.scenario.instances.some((i) => i.kind === k && i.id === number);
        if (!known) throw notLive();
        return instancesBody(sim.world, pastInstances(sim.world, k, number, ctx.now), kind!);
      },
    },
    {
      name: 'session-user-qos',
      pattern: /^\/v2\/videosdk\/sessions\/([^/]+)\/users\/([^/]+)\/qos$/,
      category: 'Heavy',
      auth: 'videosdk',
      handle: (ctx, [id, uid]) => {
        const type = queryType(ctx);
        const inst = sim.instance('session', id!, ctx.now, type);
        const who = decodeURIComponent(uid!);
        const list = type === 'past' ? pastParticipants(sim.world, inst) : sim.world.inQosList(inst, ctx.now);
        const p = list.find((x) => x.userId === who);
        if (!p) throw new HttpError(404, 3001, 'User does not exist.');
        return qosItem(sim.world, inst, p, ctx.now, type === 'past');
      },
    },
  ];
}
