import { didYouMean } from '../util/did-you-mean.js';
import { durationMs, formatDuration } from '../util/duration.js';
import type { FileProblem } from '../util/file-errors.js';
import type { YamlSource } from '../util/yaml-file.js';
import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import { expandValues, type RawEvent, type RawInput, type RawTest } from './rule-tests-schema.js';

/** The instance of an input or event that names none. */
const DEFAULT_INSTANCE = 'test';
const instanceOf = (x: { instance?: string }): string => x.instance ?? DEFAULT_INSTANCE;

/** When (ms from the test's start) a series' first and last values are; absent for one with none. */
interface Span {
  first: number;
  last: number;
}

/** Each input's series spans, by series key: read once (a series of x10000 is 10,000 values). */
const seriesSpans = new WeakMap<RawInput, Map<string, Span>>();

/** The spans of an input's series that have a value, read once per input. */
function spansOf(test: RawTest, input: RawInput): Map<string, Span> {
  let spans = seriesSpans.get(input);
  if (spans) return spans;
  spans = new Map();
  const interval = durationMs(test.interval ?? '1m');
  const start = input.start ? durationMs(input.start) : 0;
  for (const [key, text] of Object.entries(input.series)) {
    const values = expandValues(text);
    const i = values.findIndex((v) => v !== undefined);
    if (i >= 0)
      spans.set(key, {
        first: start + i * interval,
        last: start + values.findLastIndex((v) => v !== undefined) * interval,
      });
  }
  seriesSpans.set(input, spans);
  return spans;
}

/** The times (ms from the test's start) of an input's first and last value; undefined when it has none. */
function spanOf(test: RawTest, input: RawInput): Span | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (const s of spansOf(test, input).values()) {
    first = Math.min(first, s.first);
    last = Math.max(last, s.last);
  }
  return first <= last ? { first, last } : undefined;
}

const listed = (names: Iterable<string>): string => [...new Set(names)].join(', ') || '(none)';

/** A name that no input has, with the names there are. */
function unknownName(what: string, name: string, names: readonly string[]): string {
  const hint = didYouMean(name, names);
  return `no input of this test has ${what} "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${listed(names)}`;
}

/** What is wrong with one event: neither `left` nor `ended`, or a participant or instance no input has. */
function eventProblem(
  inputs: readonly RawInput[],
  e: RawEvent,
): { at: string[]; message: string } | undefined {
  if (!e.left && e.ended === undefined)
    return {
      at: [],
      message:
        'an event with neither left nor ended; expected { at: 5m, left: { participant: bob } } (with instance: when not test) or { at: 9m, ended: test }',
    };
  const instances = inputs.map(instanceOf);
  if (e.ended !== undefined && !instances.includes(e.ended))
    return { at: ['ended'], message: unknownName('the instance', e.ended, instances) };
  if (!e.left) return undefined;
  const { participant } = e.left;
  const own = inputs.filter((i) => i.participant === participant).map(instanceOf);
  if (!own.length)
    return {
      at: ['left', 'participant'],
      message: unknownName(
        'the participant',
        participant,
        inputs.map((i) => i.participant),
      ),
    };
  const instance = instanceOf(e.left);
  if (own.includes(instance)) return undefined;
  return {
    at: ['left', e.left.instance === undefined ? 'participant' : 'instance'],
    message: `${participant} has no input in instance ${instance}${e.left.instance === undefined ? ' (the default)' : ''}; expected instance: ${listed(own)}, where its inputs are`,
  };
}

/**
 * Events a test cannot mean: one with neither `left` nor `ended`, and one naming a participant or
 * an instance that no input of the test has. Before, they were taken and did nothing (a
 * misspelt name in a `left` left nobody, and the test went on as if the participant stayed).
 */
export function eventProblems(src: YamlSource, tests: readonly RawTest[]): FileProblem[] {
  const problems: FileProblem[] = [];
  tests.forEach((test, t) =>
    (test.events ?? []).forEach((e, k) => {
      const p = eventProblem(test.input, e);
      if (p) problems.push(src.problemAt(['tests', t, 'events', k, ...p.at], p.message));
    }),
  );
  return problems;
}

/**
 * Two inputs of one participant in one instance whose values overlap in time: two joins at once
 * of one participant key, whose samples went into one batch and each overwrote the other's
 * reading. Refused at the later-listed input: a test gives every series of a join in one input,
 * and a rejoin as another input that starts after the first one's last value.
 */
export function overlapProblems(src: YamlSource, tests: readonly RawTest[]): FileProblem[] {
  const problems: FileProblem[] = [];
  tests.forEach((test, t) => {
    const spans = test.input.map((input) => spanOf(test, input));
    test.input.forEach((input, k) => {
      const span = spans[k];
      if (!span) return;
      const j = test.input.findIndex((other, i) => {
        const s = spans[i];
        return (
          i < k &&
          s &&
          other.participant === input.participant &&
          instanceOf(other) === instanceOf(input) &&
          s.first <= span.last &&
          span.first <= s.last
        );
      });
      if (j < 0) return;
      const from = formatDuration(Math.max(span.first, spans[j]!.first));
      const to = formatDuration(Math.min(span.last, spans[j]!.last));
      problems.push(
        src.problemAt(
          ['tests', t, 'input', k],
          `${input.participant} (instance ${instanceOf(input)}) has values from ${from} to ${to} in input[${j}] too; expected one input per join: every series of a join in one input, and a rejoin as another input whose values start after the earlier one's last`,
        ),
      );
    });
  });
  return problems;
}

/**
 * A `left` before its participant joined: earlier than the first value of every input of that
 * participant in its instance (or with no value at all). Zoom has nothing to say of a leave
 * before a join, and the engine took it as nothing: the test ran as if the event were not there.
 */
export function beforeJoiningProblems(src: YamlSource, tests: readonly RawTest[]): FileProblem[] {
  const problems: FileProblem[] = [];
  tests.forEach((test, t) =>
    (test.events ?? []).forEach((e, k) => {
      if (!e.left) return;
      const { participant } = e.left;
      const instance = instanceOf(e.left);
      const own = test.input.filter((i) => i.participant === participant && instanceOf(i) === instance);
      if (!own.length) return; // eventProblems says so
      const first = Math.min(...own.map((i) => spanOf(test, i)?.first ?? Infinity));
      const at = durationMs(e.at);
      if (at >= first) return;
      const joined = Number.isFinite(first)
        ? `its first value (instance ${instance}) is at ${formatDuration(first)}`
        : `no input of it in instance ${instance} has a value`;
      problems.push(
        src.problemAt(
          ['tests', t, 'events', k, 'at'],
          `${participant} had not joined yet at ${formatDuration(at)}: ${joined}; expected a left at or after the first value of the join it ends`,
        ),
      );
    }),
  );
  return problems;
}

/** The earliest (then first listed) of a test's events that `ends` says end the input. */
function earliestEnd(
  events: readonly RawEvent[],
  ends: (e: RawEvent) => boolean,
): { e: RawEvent; index: number } | undefined {
  let best: { e: RawEvent; index: number } | undefined;
  events.forEach((e, index) => {
    if (ends(e) && (!best || durationMs(e.at) < durationMs(best.e.at))) best = { e, index };
  });
  return best;
}

/**
 * Values of a join after its `left` event, or of an instance after its `ended`: refused, at the
 * earliest such event (a test listing its events out of order named the later one, and said the
 * series should end by then). A series that runs on past its own leave is a series longer than
 * meant far more often than a rejoin, and taking it as one fired the alert again with no sign.
 * Zoom makes a rejoin a new join (which the poll links to the person's key: docs/zoom-client.md),
 * so a test writes one as another input of the participant with a `start` after the leave; a
 * meeting that ended gets no more samples (a later occurrence is another instance).
 */
export function afterLeavingProblems(src: YamlSource, tests: readonly RawTest[]): FileProblem[] {
  const problems: FileProblem[] = [];
  tests.forEach((test, t) => {
    test.input.forEach((input, k) => {
      // A leave before the join's first value is beforeJoiningProblems'.
      const joined = spanOf(test, input)?.first;
      if (joined === undefined) return; // no value: none after a leave
      const instance = instanceOf(input);
      for (const [key, { last }] of spansOf(test, input)) {
        const found = earliestEnd(
          test.events ?? [],
          (e) =>
            (!!e.left &&
              e.left.participant === input.participant &&
              instanceOf(e.left) === instance &&
              joined <= durationMs(e.at) &&
              last > durationMs(e.at)) ||
            (e.ended === instance && last > durationMs(e.at)),
        );
        if (!found) continue;
        const { e, index } = found;
        const when = formatDuration(durationMs(e.at));
        problems.push(
          src.problemAt(
            ['tests', t, 'input', k, 'series', key],
            e.left
              ? `${input.participant} has values after it left at ${when} (events[${index}]), up to ${formatDuration(last)}; expected the series to end by ${when}. A rejoin is a new join: write it as another input of ${input.participant} whose start is later than ${when}`
              : `instance ${instance} has values after it ended at ${when} (events[${index}]), up to ${formatDuration(last)}; expected the series to end by ${when} (a later occurrence is another instance)`,
          ),
        );
        break; // one problem per input
      }
    });
  });
  return problems;
}

/**
 * A `context_changes` entry that changes no sample: at or before the input's first value (write
 * it in `context`), or after its last one; that names no field; or at the time of another entry
 * of the input (the last would win unseen). Refused, as a test that meant a move and made none
 * would pass or fail for another reason.
 */
export function contextChangeProblems(src: YamlSource, tests: readonly RawTest[]): FileProblem[] {
  const problems: FileProblem[] = [];
  tests.forEach((test, t) =>
    test.input.forEach((input, k) => {
      const at = (j: number): (string | number)[] => ['tests', t, 'input', k, 'context_changes', j, 'at'];
      for (const [path, message] of inputChangeProblems(test, input))
        problems.push(src.problemAt(at(path), message));
    }),
  );
  return problems;
}

/** One input's context change problems: the entry's index and what is wrong with it. */
function inputChangeProblems(test: RawTest, input: RawInput): [number, string][] {
  const out: [number, string][] = [];
  const span = spanOf(test, input);
  const seen = new Map<number, number>();
  (input.context_changes ?? []).forEach((c, j) => {
    const at = durationMs(c.at);
    const when = formatDuration(at);
    if (Object.keys(c).length < 2)
      out.push([
        j,
        `a context change at ${when} names no context field; expected at least one of ${CONTEXT_FIELDS.map((f) => f.rule).join(', ')}`,
      ]);
    const twin = seen.get(at);
    if (twin !== undefined)
      out.push([
        j,
        `context_changes[${twin}] of ${input.participant} is at ${when} too; expected one entry per time, holding every field that changes then`,
      ]);
    seen.set(at, j);
    if (span && span.first < at && at <= span.last) return;
    const values = span
      ? `its values are from ${formatDuration(span.first)} to ${formatDuration(span.last)}`
      : 'it has no value';
    out.push([
      j,
      `a context change at ${when} changes no sample of ${input.participant}: ${values}; expected a time after its first value and at or before its last (the context from its first value on goes in context)`,
    ]);
  });
  return out;
}
