import type { SourceKind, StreamMetrics } from '../normalize/sample.js';
import { generateSample, type GeneratedSample } from './qos-generator.js';
import type { SimInstance, SimParticipant } from './scenario-types.js';
import type { World } from './world.js';
import { zoomTime } from '../util/zoom-time.js';

/**
 * What Zoom keeps of instances that have ended (`type=past`), and the QoS summaries of the
 * QoS Subscription add-on, from the same scenario the live endpoints serve.
 */

export function hasEnded(world: World, inst: SimInstance, now: number): boolean {
  return now - world.scenario.start >= inst.end;
}

/**
 * An ended instance by number, session id or UUID. A number names the latest instance that
 * has ended (Zoom: "the latest meeting instance"); undefined when none has (404, code 3001).
 */
export function findPast(
  world: World,
  kind: SourceKind,
  idOrUuid: string,
  now: number,
): SimInstance | undefined {
  return pastInstances(world, kind, idOrUuid, now).at(-1);
}

/** Ended instances of one number (or the one of a UUID), oldest first. */
export function pastInstances(world: World, kind: SourceKind, idOrUuid: string, now: number): SimInstance[] {
  return world.scenario.instances
    .filter((i) => i.kind === kind && (i.id === idOrUuid || i.uuid === idOrUuid) && hasEnded(world, i, now))
    .sort((a, b) => a.start - b.start);
}

/** Ended instances that started within [from, to] (days, UTC, as `from`/`to` say). */
export function pastInRange(
  world: World,
  kind: SourceKind,
  from: string,
  to: string,
  now: number,
): SimInstance[] {
  const lo = Date.parse(`${from.slice(0, 10)}T00:00:00Z`);
  const hi = Date.parse(`${to.slice(0, 10)}T00:00:00Z`) + 86_400_000;
  return world.scenario.instances.filter((i) => {
    const start = world.scenario.start + i.start;
    return i.kind === kind && hasEnded(world, i, now) && start >= lo && start < hi;
  });
}

/** Everyone who joined an ended instance. */
export function pastParticipants(world: World, inst: SimInstance): SimParticipant[] {
  const end = world.scenario.start + inst.end;
  return inst.participants.filter((p) => world.joinTime(inst, p) < end);
}

/** Every sample of a stay: what `type=past` returns. */
export function pastSamples(world: World, inst: SimInstance, p: SimParticipant): GeneratedSample[] {
  const end = world.scenario.start + inst.end;
  return world
    .sampleTimes(inst, p, world.joinTime(inst, p), end)
    .map((t) => generateSample(world.scenario, inst, p, t));
}

/** `/past_meetings/{id}/instances`: the ended instances of a number. */
export function instancesBody(world: World, inst: SimInstance[], key: string): Record<string, unknown> {
  return { [key]: inst.map((i) => ({ uuid: i.uuid, start_time: zoomTime(world.scenario.start + i.start) })) };
}

// --- QoS summary: Zoom's min / avg / max over the stay, written as Zoom writes them ---

const ms = (s: number): string => `${Math.round(s * 1000)} ms`;
const kbps = (bps: number): string => `${(bps / 1000).toFixed(2)} kbps`;
const pct = (r: number): string => `${Number((r * 100).toFixed(2))}%`;
const fps = (f: number): string => `${Number(f.toFixed(1))} fps`;

interface Agg {
  min: number;
  max: number;
  sum: number;
  n: number;
}
const agg = (vs: number[]): Agg | undefined =>
  vs.length
    ? { min: Math.min(...vs), max: Math.max(...vs), sum: vs.reduce((a, b) => a + b, 0), n: vs.length }
    : undefined;

function streamDetails(metrics: StreamMetrics[]): Record<string, string> {
  const pick = (k: keyof StreamMetrics): Agg | undefined =>
    agg(metrics.map((m) => m[k]).filter((v): v is number => typeof v === 'number'));
  const out: Record<string, string> = {};
  const put = (name: string, a: Agg | undefined, fmt: (v: number) => string): void => {
    if (!a) return;
    out[`min_${name}`] = fmt(a.min);
    out[`avg_${name}`] = fmt(a.sum / a.n);
    out[`max_${name}`] = fmt(a.max);
  };
  put('bitrate', pick('bitrate'), kbps);
  put('latency', pick('latency'), ms);
  put('jitter', pick('jitter'), ms);
  const avgLoss = pick('avgLoss');
  const maxLoss = pick('maxLoss');
  if (avgLoss) {
    out.min_loss = pct(avgLoss.min);
    out.avg_loss = pct(avgLoss.sum / avgLoss.n);
  }
  if (maxLoss) out.max_loss = pct(maxLoss.max);
  const w = metrics.find((m) => m.width !== undefined);
  if (w) out.resolution = `${w.width}*${w.height}`;
  put('frame_rate', pick('frameRate'), fps);
  return out;
}

/** One participant (Video SDK: user) of a `qos_summary` answer, shaped as zoom-samples/zoomnet's. */
export function summaryItem(world: World, inst: SimInstance, p: SimParticipant): Record<string, unknown> {
  const samples = pastSamples(world, inst, p).map((s) => s.truth);
  const byStream = new Map<string, StreamMetrics[]>();
  for (const s of samples)
    for (const [name, m] of Object.entries(s.streams)) byStream.set(name, [...(byStream.get(name) ?? []), m]);
  const cpu = {
    zoomMin: agg(
      samples.map((s) => s.cpu.zoomMin ?? s.cpu.zoomAvg).filter((v): v is number => v !== undefined),
    ),
    zoomAvg: agg(samples.map((s) => s.cpu.zoomAvg).filter((v): v is number => v !== undefined)),
    zoomMax: agg(samples.map((s) => s.cpu.zoomMax).filter((v): v is number => v !== undefined)),
    systemMax: agg(samples.map((s) => s.cpu.systemMax).filter((v): v is number => v !== undefined)),
  };
  const cpuFields: Record<string, string> = {
    ...(cpu.zoomMin ? { zoom_min_cpu_usage: pct(cpu.zoomMin.min) } : {}),
    ...(cpu.zoomAvg ? { zoom_avg_cpu_usage: pct(cpu.zoomAvg.sum / cpu.zoomAvg.n) } : {}),
    ...(cpu.zoomMax ? { zoom_max_cpu_usage: pct(cpu.zoomMax.max) } : {}),
    ...(cpu.systemMax ? { system_max_cpu_usage: pct(cpu.systemMax.max) } : {}),
  };
  const qos = [...byStream].map(([type, metrics]) => ({
    type,
    details: { ...streamDetails(metrics), ...cpuFields },
  }));
  if (inst.kind === 'session') return { id: p.userId, name: p.name, user_key: p.id, qos };
  return { id: p.id, participant_id: p.userId, user_name: p.name, email: p.email, qos };
}
