import type { RuleEngine } from '../evaluate/engine.js';
import type { HttpReply, HttpRoutes } from '../export/http-server.js';
import type { LiveState } from '../export/live-state.js';
import { instanceKey } from '../normalize/events.js';
import type { InstanceRef } from '../normalize/sample.js';
import type { Scheduler } from '../poll/scheduler.js';
import { inspectJson, inspectView, type InspectView } from '../report/inspect-view.js';
import type { Clock } from '../util/clock.js';
import { codeUnitOrder } from '../util/code-unit-order.js';

/** What the instances API reads of the daemon. */
export interface InstancesView {
  live: LiveState;
  scheduler: Scheduler;
  engine: RuleEngine;
  clock: Clock;
  /** QSS webhooks are configured: an instance's QoS may come by push. */
  pushes: boolean;
}

/** Longest id part of a path accepted, encoded (a UUID is 24 characters, a number 11). */
const MAX_ENCODED = 300;
const MAX_ID = 128;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses in an id
const CONTROL = /[\u0000-\u001f\u007f]/;

const jsonReply = (status: number, body: unknown): HttpReply => ({
  status,
  body: JSON.stringify(body, null, 2) + '\n',
  type: 'application/json',
});
const problem = (status: number, error: string): HttpReply => jsonReply(status, { error });

const urlOf = (ref: InstanceRef): string => `/api/v1/instances/${encodeURIComponent(ref.uuid)}`;

/** Every instance the daemon watches now: discovered live, or with samples kept. */
function watched(v: InstancesView): InstanceRef[] {
  // A pushed instance discovery never listed, whose pushes stopped: ended before it is read.
  v.scheduler.expireUnlisted(v.clock.now());
  const refs = new Map<string, InstanceRef>();
  for (const i of v.scheduler.instances()) refs.set(instanceKey(i.ref), i.ref);
  for (const [k, i] of v.live.instances) if (!refs.has(k)) refs.set(k, i.ref);
  return [...refs.values()];
}

/** The live view of one instance, from the daemon's newest samples and its rule engine. */
export function liveView(v: InstancesView, ref: InstanceRef, identity: boolean): InspectView {
  const key = instanceKey(ref);
  const now = v.clock.now();
  const path = v.pushes ? v.scheduler.pushes.paths.peek(key, now) : 'poll';
  const inst = v.live.instances.get(key);
  // Rebuilt from what the live state keeps of each newest sample (the samples are not kept).
  const samples = inst ? [...inst.participants].map(([k, p]) => p.asSample(inst.ref, k)) : [];
  const alerts = v.engine
    .active(!identity)
    .filter((a) => a.context.kind === ref.kind && a.context.uuid === ref.uuid);
  return inspectView({
    instance: ref,
    path,
    samples,
    rules: v.engine.ruleList,
    alerts,
    identity,
    source: `the daemon's newest sample of each participant (${path === 'push' ? "pushed by Zoom's QoS Subscription" : 'polled'}) and its rule engine's pending and firing alerts.`,
    now,
  });
}

/**
 * The instance a path names: a UUID as Zoom writes it (percent-encoded once in the path), or a
 * meeting, webinar or session id; for an id that more than one watched instance has (a pushed
 * UUID beside a polled one, a recurring meeting's two calls), the one with the newest sample,
 * and the `others`.
 */
function find(v: InstancesView, rest: string): { ref: InstanceRef; others: InstanceRef[] } | HttpReply {
  if (rest.length > MAX_ENCODED) return problem(400, 'instance id too long');
  let id: string;
  try {
    id = decodeURIComponent(rest);
  } catch {
    return problem(400, 'instance id is not valid percent-encoding');
  }
  if (!id || id.length > MAX_ID || CONTROL.test(id)) return problem(400, 'not an instance id');
  const all = watched(v);
  // A UUID Zoom wants double-encoded may arrive encoded twice: the second decoding is tried last.
  const candidates = [id];
  if (id.includes('%'))
    try {
      candidates.push(decodeURIComponent(id));
    } catch {
      // once-decoded is all there is
    }
  for (const c of candidates) {
    const byUuid = all.find((r) => r.uuid === c);
    if (byUuid) return { ref: byUuid, others: [] };
    const byId = all.filter((r) => r.id === c);
    if (byId.length) {
      const newest = (r: InstanceRef): number =>
        Math.max(
          -1,
          ...[...(v.live.instances.get(instanceKey(r))?.participants.values() ?? [])].map((s) => s.time),
        );
      const [ref, ...others] = byId.sort((a, b) => newest(b) - newest(a) || codeUnitOrder(a.uuid, b.uuid));
      return { ref: ref!, others };
    }
  }
  return problem(404, 'no live instance with that id or UUID is watched now');
}

/**
 * GET /api/v1/instances (every instance watched, in brief) and /api/v1/instances/<id> (one,
 * its participants' newest values and the alerts on them). Names, e-mails and locations only
 * with `identity` (basic auth or the opt-in), as /api/v1/alerts.
 */
export function instanceRoutes(v: InstancesView, identity: boolean): HttpRoutes {
  return {
    '/api/v1/instances': () => {
      const instances = watched(v).map((ref) => {
        const view = liveView(v, ref, identity);
        return {
          ...view.instance,
          url: urlOf(ref),
        };
      });
      instances.sort((a, b) => b.activeAlerts - a.activeAlerts || codeUnitOrder(a.uuid, b.uuid));
      return { status: 200, body: inspectJson({ instances }), type: 'application/json' };
    },
    '/api/v1/instances/*': (_req, rest) => {
      const found = find(v, rest);
      if ('status' in found) return found;
      const view = liveView(v, found.ref, identity);
      // Said, not left to chance: the id names more than one instance; each is at its UUID's URL.
      const sameId = found.others.map((r) => ({ kind: r.kind, uuid: r.uuid, url: urlOf(r) }));
      const withOthers = { ...view, sameId };
      const body = inspectJson(sameId.length ? withOthers : view);
      return { status: 200, body, type: 'application/json' };
    },
  };
}
