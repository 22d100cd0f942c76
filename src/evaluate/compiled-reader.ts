import type { QosSample } from '../normalize/sample.js';
import { FIRST_STREAM, STREAM_STRIDE } from '../normalize/sample-numbers.js';
import { average } from './average.js';

/** How a column is read (column-reader.ts builds these from a rule set's columns). */
export interface ReadPlan {
  /** Per column: whether a higher value is worse, and whether it is an average over its streams. */
  readonly above: readonly boolean[];
  readonly avg: readonly boolean[];
  /** Per column read from streams: true; else its place in a sample's numbers (`sampleAt`, -1: read by `other`). */
  readonly perStream: readonly boolean[];
  readonly sampleAt: readonly number[];
  /** Per stream index (in STREAMS), its uses in order: [column, field's row in a stream block, stream's number (index in streamNames + 1)]. */
  readonly uses: readonly (readonly (readonly [number, number, number])[])[];
}

/**
 * Reads one sample's columns: `numbers` from `first` (sample-numbers.ts), each column's value
 * written at `c * cap + i` of `out` (NaN: missing) and its worst stream of `worst` (0: none);
 * returns 1 when a value is past its column's `firsts` threshold. `other(c, s)`: the value of a
 * column read from the sample's objects.
 */
export type CompiledRead = (
  numbers: readonly number[],
  first: number,
  i: number,
  cap: number,
  out: Float64Array,
  worst: Uint8Array,
  firsts: Float64Array,
  s: QosSample,
  other: (c: number, s: QosSample) => number,
) => number;

/**
 * The reader of one rule set's columns as a function of its own, its columns' worst values,
 * sums and streams in local variables and each stream's uses written out in a `case` of its
 * stream index: what the generic loop over use tables did (a use's row, column and stream loaded
 * per value, each column's state in typed arrays), at a third of the cost: 25-29 ns a sample of
 * the fifty-rule bench set in the cache, against 89 ns (issue 16: reading the columns was a
 * quarter of the engine's quiet minute). Its source holds only integers and comparisons of this
 * module's making: no text of a rule or a sample goes into it (ajv, which checks the config,
 * makes its validators with `new Function` too).
 *
 * Each column reads as `ruleValue` does: the worst of its streams' values in the sample's stream
 * order (the first of equal ones names the stream), or their average summed in that order
 * (average.ts).
 */
export function compileReader(plan: ReadPlan): CompiledRead {
  const lines: string[] = ['"use strict";', 'let v = 0;'];
  for (let c = 0; c < plan.above.length; c++)
    if (plan.perStream[c]) lines.push(`let b${c} = NaN, w${c} = 0, s${c} = 0, n${c} = 0;`);
  lines.push(
    'const streams = numbers[first];',
    `for (let j = 0, a = first + ${FIRST_STREAM}; j < streams; j++, a += ${STREAM_STRIDE}) {`,
    'switch (numbers[a] | 0) {',
    ...streamCases(plan),
    '}',
    '}',
    'let past = 0;',
    ...columnWrites(plan),
    'return past;',
  );
  // The reader is made by a function given `average` (average.ts: an average's value as
  // ruleValue reads it, to twelve significant digits).
  const source = `return function read(numbers, first, i, cap, out, worst, firsts, s, other) {\n${lines.join('\n')}\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- integers and operators of this module only (see above)
  return (new Function('average', source) as (a: typeof average) => CompiledRead)(average);
}

/** Only integers go into a reader's source: a plan with anything else is refused, not written out. */
function int(x: number): number {
  if (!Number.isSafeInteger(x)) throw new Error(`a column reader takes integers, not ${String(x)}`);
  return x;
}

/** Per stream index with uses, a `case` updating each of its columns with the stream's value. */
function streamCases(plan: ReadPlan): string[] {
  const lines: string[] = [];
  plan.uses.forEach((uses, k) => {
    if (!uses.length) return;
    lines.push(`case ${int(k)}:`);
    for (const [column, row, stream] of uses) {
      const c = int(column);
      const worse = plan.above[c] ? `!(v <= b${c})` : `!(v >= b${c})`;
      const sum = plan.avg[c] ? `if (n${c}++ === 0) s${c} = v; else s${c} += v;` : `n${c}++;`;
      lines.push(
        `v = numbers[a + ${1 + int(row)}];`,
        `if (v === v) { ${sum} if (${worse}) { b${c} = v; w${c} = ${int(stream)}; } }`,
      );
    }
    lines.push('break;');
  });
  return lines;
}

/** Each column's value and worst stream written out, and whether it is past its first threshold. */
function columnWrites(plan: ReadPlan): string[] {
  const lines: string[] = [];
  for (let c = 0; c < plan.above.length; c++) {
    const at = `${c} * cap + i`;
    if (plan.perStream[c]) {
      lines.push(
        plan.avg[c] ? `v = n${c} === 0 ? NaN : average(s${c}, n${c});` : `v = b${c};`,
        `out[${at}] = v;`,
        `worst[${at}] = n${c} === 0 ? 0 : w${c};`,
      );
    } else {
      const from = int(plan.sampleAt[c]!);
      lines.push(
        from >= 0 ? `v = numbers[first + ${from}];` : `v = other(${c}, s);`,
        `out[${at}] = v;`,
        `worst[${at}] = 0;`,
      );
    }
    // NaN (missing) is past no threshold.
    lines.push(`if (v ${plan.above[c] ? '>' : '<'} firsts[${c}]) past = 1;`);
  }
  return lines;
}
