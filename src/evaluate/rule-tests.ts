import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { ajv, loadYaml, YamlSource } from '../config/yaml-file.js';
import type { InstanceRef, QosSample, SourceKind, StreamMetrics } from '../normalize/sample.js';
import { STREAM_BY_NAME } from '../normalize/streams.js';
import {
  parseBitrate,
  parseCpuPressure,
  parseDbm,
  parseFrameRate,
  parseRatio,
  parseResolution,
  parseSeconds,
} from '../normalize/values.js';
import { contextFromRaw } from '../normalize/normalize.js';
import type { PipelineEvent } from '../poll/source.js';
import { durationMs, formatDuration } from '../util/duration.js';
import type { Alert, AlertChange } from './alert.js';
import { RuleEngine } from './engine.js';
import { loadRules } from './load-rules.js';
import { ruleTestSchema } from './rule-tests-schema.js';

interface ExpectedAlert {
  rule: string;
  state: 'pending' | 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  reason?: 'recovered' | 'left' | 'ended';
}
interface RawInput {
  participant: string;
  name?: string;
  instance?: string;
  kind?: SourceKind;
  topic?: string;
  start?: string;
  context?: Partial<
    Record<
      'network_type' | 'data_center' | 'connection_type' | 'location' | 'device' | 'client_version',
      string
    >
  >;
  series: Record<string, string>;
}
interface RawTest {
  name: string;
  interval?: string;
  input: RawInput[];
  events?: { at: string; left?: { participant: string; instance?: string }; ended?: string }[];
  expect: { at: string; alerts: ExpectedAlert[] }[];
}
interface RawTestFile {
  rule_files: string[];
  gap_tolerance?: string;
  tests: RawTest[];
}

export interface TestFailure {
  file: string;
  test: string;
  at: string;
  missing: string[];
  unexpected: string[];
}

export interface TestFileResult {
  file: string;
  passed: number;
  failures: TestFailure[];
  /** Series text that could not be read. */
  errors: string[];
}

/** Test time 0: an arbitrary fixed instant, so results never depend on the day. */
const EPOCH = Date.parse('2026-01-05T09:00:00Z');

let validator: ValidateFunction<RawTestFile> | undefined;

/** "100ms 400ms x3 _ 100ms": values in order; `xN` repeats the previous value to N copies; `_` is missing. */
export function expandValues(text: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const tok of text.trim().split(/\s+/)) {
    const rep = /^x(\d+)$/.exec(tok);
    if (rep) {
      const prev = out.at(-1);
      for (let i = 1; i < Number(rep[1]); i++) out.push(prev);
    } else out.push(tok === '_' ? undefined : tok);
  }
  return out;
}

const STREAM_METRIC: Record<string, [keyof StreamMetrics, (v: string) => number | undefined]> = {
  latency: ['latency', parseSeconds],
  jitter: ['jitter', parseSeconds],
  avg_loss: ['avgLoss', parseRatio],
  max_loss: ['maxLoss', parseRatio],
  bitrate: ['bitrate', parseBitrate],
  frame_rate: ['frameRate', parseFrameRate],
};

/** Sets one series value on a sample; returns an error text when the key or value is not understood. */
function setValue(s: QosSample, key: string, text: string): string | undefined {
  const [a, b] = key.split('.') as [string, string | undefined];
  if (a === 'cpu' && b) {
    const field = { zoom_avg: 'zoomAvg', zoom_max: 'zoomMax', zoom_min: 'zoomMin', system_max: 'systemMax' }[
      b
    ] as 'zoomAvg' | undefined;
    const v = parseRatio(text);
    if (!field || v === undefined)
      return `${key}: expected cpu.zoom_avg|zoom_max|zoom_min|system_max with percentages, found ${text}`;
    s.cpu = { ...s.cpu, [field]: v };
    return undefined;
  }
  if (a === 'wifi_rssi') {
    const v = parseDbm(text.replace(/dbm$/i, ''));
    if (v === undefined) return `${key}: expected dBm such as -70dBm, found ${text}`;
    s.wifi = { avg: v, max: v, min: v };
    return undefined;
  }
  if (a === 'cpu_pressure') {
    const v = parseCpuPressure(text);
    if (!v) return `${key}: expected a CPU pressure level, found ${text}`;
    s.cpuPressure = v;
    return undefined;
  }
  if (!STREAM_BY_NAME.has(a) || !b)
    return `unknown series "${key}"; expected <stream>.<metric> (audio_input.latency), cpu.zoom_avg, wifi_rssi or cpu_pressure`;
  const m = s.streams[a] ?? {};
  if (b === 'resolution') {
    const r = parseResolution(text);
    if (!r) return `${key}: expected WIDTHxHEIGHT, found ${text}`;
    m.width = r.width;
    m.height = r.height;
  } else {
    const def = STREAM_METRIC[b];
    if (!def) return `unknown metric "${b}" in ${key}`;
    const v = def[1](text);
    if (v === undefined) return `${key}: cannot read ${JSON.stringify(text)}`;
    m[def[0]] = v;
  }
  s.streams[a] = m;
  return undefined;
}

const describeAlert = (a: {
  rule: string;
  state: string;
  labels?: Record<string, string>;
  reason?: string;
}): string =>
  `${a.rule} ${a.state}${a.reason ? ` (${a.reason})` : ''} {${Object.entries(a.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;

function matches(e: ExpectedAlert, a: Alert): boolean {
  if (e.rule !== a.rule || e.state !== a.state) return false;
  if (e.reason && e.reason !== a.reason) return false;
  for (const [k, v] of Object.entries(e.labels ?? {})) if (a.labels[k] !== v) return false;
  for (const [k, v] of Object.entries(e.annotations ?? {})) if (a.annotations[k] !== v) return false;
  return true;
}

/** Runs one test file: every expectation compares the pending, firing and just-resolved alerts. */
export function runRuleTestFile(file: string): TestFileResult {
  validator ??= ajv().compile<RawTestFile>(ruleTestSchema);
  const { value } = loadYaml<RawTestFile>(YamlSource.read(file), validator);
  const rules = loadRules(value.rule_files.map((f) => resolve(dirname(file), f)));
  const result: TestFileResult = { file, passed: 0, failures: [], errors: [] };
  for (const test of value.tests) {
    const engine = new RuleEngine(rules, { gapToleranceMs: durationMs(value.gap_tolerance ?? '5m') });
    const interval = durationMs(test.interval ?? '1m');
    const timeline = new Map<number, PipelineEvent[]>();
    const at = (t: number): PipelineEvent[] => {
      let list = timeline.get(t);
      if (!list) timeline.set(t, (list = []));
      return list;
    };
    const instances = new Map<string, InstanceRef>();
    const inst = (id: string | undefined, kind: SourceKind = 'meeting', topic?: string): InstanceRef => {
      const key = id ?? 'test';
      let ref = instances.get(key);
      if (!ref) instances.set(key, (ref = { kind, id: key, uuid: key, topic: topic ?? key }));
      return ref;
    };
    for (const input of test.input) {
      const ref = inst(input.instance, input.kind, input.topic);
      const start = EPOCH + (input.start ? durationMs(input.start) : 0);
      const c = input.context ?? {};
      const series = Object.entries(input.series).map(([k, v]) => [k, expandValues(v)] as const);
      const n = Math.max(...series.map(([, v]) => v.length));
      for (let i = 0; i < n; i++) {
        const time = start + i * interval;
        const s: QosSample = {
          instance: ref,
          participant: { key: input.participant, name: input.name ?? '', email: '', ip: '' },
          context: contextFromRaw({ ...c, version: c.client_version }),
          time,
          streams: {},
        };
        let any = false;
        for (const [k, values] of series) {
          const v = values[i];
          if (v === undefined) continue;
          const err = setValue(s, k, v);
          if (err) result.errors.push(`${test.name}: ${input.participant}: ${err}`);
          else any = true;
        }
        if (any) at(time).push({ type: 'samples', samples: [s] });
      }
    }
    for (const e of test.events ?? []) {
      const t = EPOCH + durationMs(e.at);
      if (e.left)
        at(t).push({ type: 'left', instance: inst(e.left.instance), participant: e.left.participant, at: t });
      if (e.ended) at(t).push({ type: 'ended', instance: inst(e.ended), at: t });
    }
    const times = [...timeline.keys()].sort((a, b) => a - b);
    let resolved: Alert[] = [];
    let next = 0;
    let ok = true;
    for (const exp of [...test.expect].sort((a, b) => durationMs(a.at) - durationMs(b.at))) {
      const until = EPOCH + durationMs(exp.at);
      for (; next < times.length && times[next]! <= until; next++) {
        // Samples of one time go in as one batch, as a poll hands them on.
        const events = timeline.get(times[next]!)!;
        const samples = events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
        const changes: AlertChange[] = samples.length ? engine.handle({ type: 'samples', samples }) : [];
        for (const e of events) if (e.type !== 'samples') changes.push(...engine.handle(e));
        resolved.push(...changes.filter((c) => c.alert.state === 'resolved').map((c) => c.alert));
      }
      const actual = [...engine.active(), ...resolved];
      resolved = [];
      const unmatched = [...actual];
      const missing: string[] = [];
      for (const e of exp.alerts) {
        const i = unmatched.findIndex((a) => matches(e, a));
        if (i >= 0) unmatched.splice(i, 1);
        else missing.push(describeAlert(e));
      }
      if (missing.length || unmatched.length) {
        ok = false;
        result.failures.push({
          file,
          test: test.name,
          at: formatDuration(durationMs(exp.at)),
          missing,
          unexpected: unmatched.map((a) =>
            describeAlert({ ...a, ...(a.reason ? { reason: a.reason } : {}) }),
          ),
        });
      }
    }
    if (ok) result.passed++;
  }
  return result;
}

export function formatFailures(results: readonly TestFileResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    for (const e of r.errors) lines.push(`ERROR ${r.file}: ${e}`);
    for (const f of r.failures) {
      lines.push(`FAIL ${f.file}: "${f.test}" at ${f.at}`);
      for (const m of f.missing) lines.push(`  expected, not found: ${m}`);
      for (const u of f.unexpected) lines.push(`  found, not expected: ${u}`);
    }
  }
  return lines.join('\n');
}
