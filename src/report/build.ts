import type { CompiledRule } from '../evaluate/rule-types.js';
import { formatThreshold } from '../evaluate/thresholds.js';
import type { QosSample } from '../normalize/sample.js';
import type { ReportData } from './fetch.js';
import { rounded, sampleFigures, streamFigures, timeline } from './figures.js';
import { SEVERITY_WEIGHT } from './minutes.js';
import { breaches, overRules, replayAlerts } from './rules.js';
import type { ParticipantReport, Report } from './types.js';
import { codeUnitOrder } from '../util/code-unit-order.js';

/** Worst first: weighted minutes in breach, then alerts, then the worst latency and loss. */
function score(p: Omit<ParticipantReport, 'score'>): number {
  const minutes = p.breaches.reduce((n, b) => n + b.minutes * (SEVERITY_WEIGHT[b.severity] ?? 1), 0);
  let latency = 0;
  let loss = 0;
  for (const s of p.streams) {
    latency = Math.max(latency, s.metrics.latency?.max ?? 0);
    loss = Math.max(loss, s.metrics.avg_loss?.max ?? 0);
  }
  return rounded(minutes * 1000 + p.alerts.length * 100 + latency * 10 + loss * 100, 6);
}

/** The report of one instance from what Zoom said about it and the daemon's rules. */
export function buildReport(
  data: ReportData,
  rules: CompiledRule[],
  options: { gapToleranceMs: number; calls: number; now: number },
): Report {
  const { instance } = data;
  const ref = { kind: instance.kind, id: instance.id, uuid: instance.uuid, topic: instance.topic };
  // An end before the start (bad data, not shown) still ends the replay, at the last sample.
  const endAt = instance.live ? undefined : (instance.end ?? instance.endBeforeStart);
  const alerts = data.samples.length
    ? replayAlerts(rules, options.gapToleranceMs, ref, data.samples, endAt)
    : [];
  const samplesOf = new Map<string, QosSample[]>();
  for (const s of data.samples)
    samplesOf.set(s.participant.key, [...(samplesOf.get(s.participant.key) ?? []), s]);
  const summaryOf = new Map(data.summaries.map((s) => [s.participant.key, s]));
  const keys = new Set([...samplesOf.keys(), ...summaryOf.keys()]);
  const participants = [...keys].map((key): ParticipantReport => {
    const samples = samplesOf.get(key) ?? [];
    const summary = summaryOf.get(key);
    const join = data.joins.get(key);
    const p: Omit<ParticipantReport, 'score'> = {
      key,
      name: join?.name || summary?.participant.name || samples[0]?.participant.name || '',
      email: join?.email || summary?.participant.email || '',
      ...(join?.joined !== undefined ? { joined: join.joined } : {}),
      ...(join?.left !== undefined ? { left: join.left } : {}),
      context: { ...join?.context, ...samples[0]?.context },
      streams: streamFigures(samples, summary),
      cpu: sampleFigures(samples, summary),
      breaches: breaches(rules, samples),
      alerts: alerts.filter((a) => a.participant === key),
      timeline: timeline(samples, (s) => overRules(rules, s).map((o) => o.rule.name)),
    };
    return { ...p, score: score(p) };
  });
  participants.sort((a, b) => b.score - a.score || codeUnitOrder(a.key, b.key));
  return {
    instance,
    generatedAt: options.now,
    source: data.source,
    sourceNote: data.sourceNote,
    calls: options.calls,
    rules: rules
      .filter((r) => r.sources.has(instance.kind))
      .map((r) => ({
        name: r.name,
        metric: r.metric.name,
        threshold: `${r.above ? '>' : '<'} ${formatThreshold(r.threshold, r.metric)}`,
        value: r.threshold,
        above: r.above,
        severity: r.severity,
        scope: r.scope,
      })),
    participants,
    alerts: alerts.filter((a) => a.participant === undefined),
    ...(data.budgetCut ? { budgetCut: data.budgetCut } : {}),
  };
}
