import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { loadYaml, YamlSource } from '../util/yaml-file.js';
import { validator as schemaValidator } from '../util/validators.js';
import { CONTEXT_FIELDS, rowsOf, type FieldDef } from '../normalize/catalog.js';
import type { InstanceRef, ParticipantContext, QosSample, SourceKind } from '../normalize/sample.js';
import { STREAM_BY_NAME } from '../normalize/streams.js';
import { METRIC_BY_NAME } from './metrics.js';
import type { PipelineEvent } from '../normalize/events.js';
import { durationMs, formatDuration } from '../util/duration.js';
import { FileInvalidError, type FileProblem } from '../util/file-errors.js';
import type { Alert, AlertChange } from './alert.js';
import { RuleEngine } from './engine.js';
import {
  annotationNames,
  describeAlert,
  duplicateProblems,
  expectRuleProblems,
} from './rule-test-expects.js';
import { loadRules } from './load-rules.js';
import { ruleFileProblems } from './rule-test-files.js';
import { oneLine } from '../util/shown-text.js';
import {
  afterLeavingProblems,
  beforeJoiningProblems,
  contextChangeProblems,
  eventProblems,
  overlapProblems,
} from './rule-test-joins.js';
import {
  expandValues,
  repeatOf,
  ruleTestSchema,
  type ExpectedAlert,
  type RawInput,
  type RawTest,
  type RawTestFile,
} from './rule-tests-schema.js';

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

const GROUP_KEY = { cpu: 'cpu', wifi: 'wifi', cpuPressure: 'cpuPressure' } as const;

/** Sets the rows' values from one text; an error text when none of them can read it. */
function setRows(
  target: Record<string, unknown>,
  rows: readonly FieldDef[],
  key: string,
  text: string,
): string | undefined {
  let any = false;
  for (const row of rows) {
    const v = row.parse(text);
    if (v === undefined) continue;
    target[row.key] = v;
    any = true;
  }
  return any ? undefined : `${key}: cannot read ${JSON.stringify(text)}`;
}

/**
 * Sets one series value on a sample; returns an error text when the key or value is not
 * understood. Keys: `<stream>.<metric>` (a rule metric name, or Zoom's field name such as
 * `resolution: 1280x720`), or a per-sample rule metric name (`cpu_zoom_avg`, `wifi_rssi`,
 * `cpu_pressure_max`; `cpu.zoom_avg` is the older spelling).
 */
function setValue(s: QosSample, key: string, text: string): string | undefined {
  const [a, b] = key.split('.') as [string, string | undefined];
  if (STREAM_BY_NAME.has(a) && b) {
    const byZoom = rowsOf('stream').filter((r) => r.zoom === b);
    const metric = METRIC_BY_NAME.get(b);
    const rows = byZoom.length ? byZoom : metric?.perStream ? [metric.field] : [];
    if (!rows.length)
      return `unknown metric "${b}" in ${key}; expected a rule metric (latency, jitter, avg_loss, bitrate...) or Zoom's field name`;
    const m = (s.streams[a] ?? {}) as Record<string, unknown>;
    const err = setRows(m, rows, key, text);
    if (!err) s.streams[a] = m;
    return err;
  }
  const metric = METRIC_BY_NAME.get(key.replace('.', '_'));
  if (!metric || metric.perStream)
    return `unknown series "${key}"; expected <stream>.<metric> (audio_input.latency) or a per-sample metric (cpu_zoom_avg, wifi_rssi, cpu_pressure, ...)`;
  const group = GROUP_KEY[metric.field.group as keyof typeof GROUP_KEY];
  const target = { ...(s[group] as Record<string, unknown> | undefined) };
  const err = setRows(target, [metric.field], key, text);
  if (!err) (s as unknown as Record<string, unknown>)[group] = target;
  return err;
}

/** A rule test's `context` (rule names) as a sample's context. */
function testContext(c: Record<string, string>): ParticipantContext {
  const out: Record<string, string> = {};
  for (const f of CONTEXT_FIELDS) if (c[f.rule] !== undefined) out[f.key] = c[f.rule]!;
  return out;
}

/**
 * An input's context at each of its sample times (ms from the test's start): its `context`, with
 * each of its `context_changes` due by then applied in time order (`_`: the field gone).
 */
function contextAt(input: RawInput): (at: number) => ParticipantContext {
  const changes = [...(input.context_changes ?? [])].sort((a, b) => durationMs(a.at) - durationMs(b.at));
  return (at) => {
    const c: Record<string, string> = { ...input.context };
    for (const { at: from, ...fields } of changes) {
      if (durationMs(from) > at) break;
      for (const [k, v] of Object.entries(fields))
        if (v === '_') delete c[k];
        else c[k] = v;
    }
    return testContext(c);
  };
}

function matches(e: ExpectedAlert, a: Alert): boolean {
  if (e.rule !== a.rule || e.state !== a.state) return false;
  if (e.reason && e.reason !== a.reason) return false;
  for (const [k, v] of Object.entries(e.labels ?? {})) if (a.labels[k] !== v) return false;
  for (const [k, v] of Object.entries(e.annotations ?? {})) if (a.annotations[k] !== v) return false;
  return true;
}

/** A test's events by time: the inputs' samples and the `left` / `ended` events. */
class Timeline {
  readonly events = new Map<number, PipelineEvent[]>();
  private readonly instances = new Map<string, InstanceRef>();

  at(t: number): PipelineEvent[] {
    let list = this.events.get(t);
    if (!list) this.events.set(t, (list = []));
    return list;
  }

  inst(id: string | undefined, kind: SourceKind = 'meeting', topic?: string): InstanceRef {
    const key = id ?? 'test';
    let ref = this.instances.get(key);
    if (!ref) this.instances.set(key, (ref = { kind, id: key, uuid: key, topic: topic ?? key }));
    return ref;
  }

  /** One input's series, a sample per interval; text that cannot be read goes to `errors`. */
  addInput(test: RawTest, input: RawInput, errors: string[]): void {
    const interval = durationMs(test.interval ?? '1m');
    const ref = this.inst(input.instance, input.kind, input.topic);
    const start = EPOCH + (input.start ? durationMs(input.start) : 0);
    const context = contextAt(input);
    const series = Object.entries(input.series).map(([k, v]) => [k, expandValues(v)] as const);
    const n = Math.max(...series.map(([, v]) => v.length));
    for (let i = 0; i < n; i++) {
      const time = start + i * interval;
      const s: QosSample = {
        instance: ref,
        participant: { key: input.participant, name: input.name ?? '', email: '', ip: '' },
        context: context(time - EPOCH),
        time,
        streams: {},
      };
      let any = false;
      for (const [k, values] of series) {
        const v = values[i];
        if (v === undefined) continue;
        const err = setValue(s, k, v);
        if (err) errors.push(`${test.name}: ${input.participant}: ${err}`);
        else any = true;
      }
      if (any) this.at(time).push({ type: 'samples', samples: [s] });
    }
  }

  addEvents(test: RawTest): void {
    for (const e of test.events ?? []) {
      const t = EPOCH + durationMs(e.at);
      if (e.left)
        this.at(t).push({
          type: 'left',
          instance: this.inst(e.left.instance),
          participant: e.left.participant,
          at: t,
        });
      if (e.ended) this.at(t).push({ type: 'ended', instance: this.inst(e.ended), at: t });
    }
  }
}

/** The expected alerts not found, and the alerts found but not expected. */
function compareAlerts(
  expected: readonly ExpectedAlert[],
  actual: readonly Alert[],
): { missing: string[]; unexpected: string[] } {
  const unmatched = [...actual];
  const missing: string[] = [];
  const names = annotationNames(expected);
  for (const e of expected) {
    const i = unmatched.findIndex((a) => matches(e, a));
    if (i >= 0) unmatched.splice(i, 1);
    else missing.push(describeAlert(e, names));
  }
  return { missing, unexpected: unmatched.map((a) => describeAlert(a, names)) };
}

/** One test run through a fresh engine; its failures go into `result`. True when it passed. */
function runTest(
  file: string,
  value: RawTestFile,
  rules: ReturnType<typeof loadRules>,
  test: RawTest,
  result: TestFileResult,
): boolean {
  const engine = new RuleEngine(rules, { gapToleranceMs: durationMs(value.gap_tolerance ?? '5m') });
  const timeline = new Timeline();
  for (const input of test.input) timeline.addInput(test, input, result.errors);
  timeline.addEvents(test);
  const times = [...timeline.events.keys()].sort((a, b) => a - b);
  let resolved: Alert[] = [];
  let next = 0;
  let ok = true;
  for (const exp of [...test.expect].sort((a, b) => durationMs(a.at) - durationMs(b.at))) {
    const until = EPOCH + durationMs(exp.at);
    for (; next < times.length && times[next]! <= until; next++) {
      // Samples of one time go in as one batch, as a poll hands them on.
      const events = timeline.events.get(times[next]!)!;
      const samples = events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
      const changes: AlertChange[] = samples.length ? engine.handle({ type: 'samples', samples }) : [];
      for (const e of events) if (e.type !== 'samples') changes.push(...engine.handle(e));
      resolved.push(...changes.filter((c) => c.alert.state === 'resolved').map((c) => c.alert));
    }
    const { missing, unexpected } = compareAlerts(exp.alerts, [...engine.active(), ...resolved]);
    resolved = [];
    if (missing.length || unexpected.length) {
      ok = false;
      result.failures.push({
        file,
        test: test.name,
        at: formatDuration(durationMs(exp.at)),
        missing,
        unexpected,
      });
    }
  }
  return ok;
}

/** The most copies one `xN` may make: a test's series is minutes, not millions of samples. */
const MAX_REPEAT = 10_000;

/**
 * Series text a test cannot be run with, refused at its key before any test runs: an unknown
 * key, a value its metric cannot read, or an `xN` that repeats nothing or too much. Before, such
 * text was an `ERROR` line per sample it filled, without its place, and the tests ran without
 * it (a test whose every key was unknown passed).
 */
function seriesProblems(src: YamlSource, tests: readonly RawTest[]): FileProblem[] {
  const problems: FileProblem[] = [];
  const scratch = (): QosSample => ({
    instance: { kind: 'meeting', id: 'test', uuid: 'test', topic: 'test' },
    participant: { key: 'test', name: '', email: '', ip: '' },
    context: {},
    time: EPOCH,
    streams: {},
  });
  tests.forEach((test, t) =>
    test.input.forEach((input, k) => {
      for (const [key, text] of Object.entries(input.series)) {
        const at = ['tests', t, 'input', k, 'series', key];
        const tokens = text.trim().split(/\s+/);
        const repeat = tokens.findIndex((tok, i) => {
          const n = repeatOf(tok);
          return n !== undefined && (i === 0 || n < 2 || n > MAX_REPEAT);
        });
        if (repeat >= 0) {
          problems.push(
            src.problemAt(
              at,
              `"${tokens[repeat]}" ${repeat === 0 ? 'repeats no value before it' : 'is out of range'}; expected xN after a value, N copies of it from 2 to ${MAX_REPEAT}`,
            ),
          );
          continue;
        }
        let err: string | undefined;
        for (const tok of tokens) {
          if (tok !== '_' && repeatOf(tok) === undefined) err = setValue(scratch(), key, tok);
          if (err !== undefined) break;
        }
        if (err === undefined) continue;
        // A value its metric cannot read is shown at the value; an unknown key at the key.
        const unreadable = err.startsWith(`${key}: cannot read`);
        problems.push(
          src.problemAt(
            at,
            unreadable
              ? `${err.slice(key.length + 2)}; expected values of the metric with their unit (120ms, 3.5%, 800kbps...), _ for none, xN to repeat the one before`
              : err,
            !unreadable,
          ),
        );
      }
    }),
  );
  return problems;
}

/** Runs one test file: every expectation compares the pending, firing and just-resolved alerts. */
export function runRuleTestFile(file: string): TestFileResult {
  validator ??= schemaValidator<RawTestFile>('files', ruleTestSchema);
  const src = YamlSource.read(file);
  const { value } = loadYaml<RawTestFile>(src, validator);
  const series = seriesProblems(src, value.tests);
  const bad = [
    ...ruleFileProblems(src, file, value),
    ...series,
    ...eventProblems(src, value.tests),
    ...duplicateProblems(src, value.tests),
  ];
  // The times of values are read only from series text that reads (an x50000000 is not expanded).
  if (!series.length)
    bad.push(
      ...overlapProblems(src, value.tests),
      ...afterLeavingProblems(src, value.tests),
      ...beforeJoiningProblems(src, value.tests),
      ...contextChangeProblems(src, value.tests),
    );
  if (bad.length) throw new FileInvalidError(bad.sort((a, b) => a.line - b.line || a.col - b.col));
  const rules = loadRules(value.rule_files.map((f) => resolve(dirname(file), f)));
  const unknown = expectRuleProblems(
    src,
    value.tests,
    rules.map((r) => r.name),
  );
  if (unknown.length) throw new FileInvalidError(unknown);
  const result: TestFileResult = { file, passed: 0, failures: [], errors: [] };
  for (const test of value.tests) if (runTest(file, value, rules, test, result)) result.passed++;
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
  // Each entry is one line: a file's or a test's name, a label, holds no line of its own.
  return lines.map(oneLine).join('\n');
}
