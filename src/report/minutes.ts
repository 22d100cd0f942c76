import type { ParticipantReport, Report, ReportRule, TimelinePoint } from './types.js';

/** How much a minute over a rule weighs, by the rule's severity (ordering only). */
export const SEVERITY_WEIGHT: Record<string, number> = { critical: 3, warning: 2, info: 1 };

/** The timeline's four series, the rule metric each is compared with, and what it holds. */
export const SERIES = [
  { key: 'latency', metric: 'latency', label: 'Latency', holds: 'the worst of the streams' },
  { key: 'jitter', metric: 'jitter', label: 'Jitter', holds: 'the worst of the streams' },
  { key: 'loss', metric: 'avg_loss', label: 'Packet loss', holds: 'average loss, the worst stream' },
  { key: 'frameRate', metric: 'frame_rate', label: 'Frame rate', holds: 'the lowest video stream' },
] as const;

/** One threshold drawn on a chart: every participant rule on the metric with this value and direction. */
export interface Threshold {
  value: number;
  above: boolean;
  /** "> 300 ms" */
  text: string;
  rules: string[];
}

/** The participant-scope rules' thresholds on one metric, one per distinct value and direction. */
export function thresholdsOf(rules: readonly ReportRule[], metric: string): Threshold[] {
  const out: Threshold[] = [];
  for (const r of rules) {
    if (r.metric !== metric || r.scope !== 'participant') continue;
    const same = out.find((t) => t.value === r.value && t.above === r.above);
    if (same) same.rules.push(r.name);
    else out.push({ value: r.value, above: r.above, text: r.threshold, rules: [r.name] });
  }
  return out;
}

/** Whether a point breaches a rule on this metric (as the breach table counts it). */
export function pointOver(point: TimelinePoint, rules: readonly ReportRule[], metric: string): boolean {
  return (point.over ?? []).some((name) => rules.some((r) => r.name === name && r.metric === metric));
}

/** One participant's minute, ranked among the worst of the instance. */
export interface WorstMinute {
  participant: ParticipantReport;
  /** The participant's place in the report (1 = worst). */
  rank: number;
  point: TimelinePoint;
  /** The rules the minute breaches. */
  over: ReportRule[];
}

/** How far a value is past (ratio > 1) or short of (< 1) a threshold. */
function ratio(v: number, t: Threshold): number {
  if (t.above) return t.value > 0 ? v / t.value : v > 0 ? 2 : 0;
  return v > 0 ? t.value / v : t.value > 0 ? 10 : 0;
}

/**
 * The worst minutes of the instance over every participant's timeline: the minutes that breach
 * the most (and most severe) rules first, then those furthest past the charts' thresholds.
 * Without thresholds to compare with, the highest latency.
 */
export function worstMinutes(r: Report, n = 10): WorstMinute[] {
  const series = SERIES.map((s) => ({ s, thresholds: thresholdsOf(r.rules, s.metric) }));
  const anyThreshold = series.some((x) => x.thresholds.length);
  const ranked: { m: WorstMinute; score: number }[] = [];
  r.participants.forEach((participant, i) => {
    for (const point of participant.timeline) {
      const over = r.rules.filter((rule) => point.over?.includes(rule.name));
      let past = 0;
      for (const { s, thresholds } of series) {
        const v = point[s.key];
        if (v !== undefined) for (const t of thresholds) past = Math.max(past, ratio(v, t));
      }
      if (!anyThreshold) past = point.latency ?? 0;
      const score = over.reduce((a, rule) => a + (SEVERITY_WEIGHT[rule.severity] ?? 1), 0) * 1000 + past;
      if (score > 0) ranked.push({ m: { participant, rank: i + 1, point, over }, score });
    }
  });
  return ranked
    .sort((a, b) => b.score - a.score || a.m.point.t - b.m.point.t || a.m.rank - b.m.rank)
    .slice(0, n)
    .map((x) => x.m);
}
