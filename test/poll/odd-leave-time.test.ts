import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { captureLog } from '../helpers/log.js';
import { counter } from '../helpers/qos-rewrite-run.js';
import { daemonOnRewrittenQos } from '../helpers/rewritten-qos.js';

/**
 * A `leave_time` qoswatch cannot believe (outside tester hT42, stop 42, MEDIUM): Ann's is "-"
 * (not a time), Bo's is a minute after he joined while Zoom keeps sending his samples, minutes
 * newer. On the old code both were taken as left at the first poll (Ann's "left now"), silently,
 * and their fresh samples ignored for good. Now each is counted once
 * (`qoswatch_values_missing_total{field="leave_time"}`, unreadable and implausible), logged once,
 * and the join is present: its samples are read on every poll.
 */
let close: () => Promise<void>;
let events: PipelineEvent[] = [];
let metrics: string;
const { log, lines } = captureLog('info');
const MIN = 60_000;

beforeAll(async () => {
  ({ events, metrics, close } = await daemonOnRewrittenQos(
    { seed: 'odd-leave-time', id: 85400000042, uuid: 'odd/leave==', userIds: ['520', '521'] },
    (text) => {
      const page = JSON.parse(text) as { participants?: Record<string, unknown>[] };
      for (const p of page.participants ?? []) {
        if (p.user_id === '520') p.leave_time = '-';
        if (p.user_id === '521')
          p.leave_time = new Date(Date.parse(p.join_time as string) + MIN).toISOString();
      }
      return JSON.stringify(page);
    },
    log,
    6,
  ));
}, 60_000);
afterAll(() => close());

const timesOf = (join: string): number[] =>
  events.flatMap((e) =>
    e.type === 'samples' ? e.samples.filter((s) => s.participant.join === join).map((s) => s.time) : [],
  );

describe('a leave_time that is not believed', () => {
  it('takes nobody as left: both joins stay present, poll after poll', () => {
    expect(events.filter((e) => e.type === 'left')).toEqual([]);
    const polled = events.filter((e) => e.type === 'polled');
    expect(polled.length).toBeGreaterThanOrEqual(5);
    for (const e of polled) expect(e.type === 'polled' && [...e.present].sort()).toEqual(['520', '521']);
  });

  it('reads their fresh samples to the end of the run', () => {
    const first = events.find((e) => e.type === 'polled')!;
    for (const join of ['520', '521']) expect(Math.max(...timesOf(join))).toBeGreaterThan(first.at);
  });

  it('counts each once, by its reason', () => {
    const leave = (reason: string) =>
      counter(metrics, 'qoswatch_values_missing_total', ['field="leave_time"', `reason="${reason}"`]);
    expect(leave('unreadable')).toBe(1);
    expect(leave('implausible')).toBe(1);
  });

  it('logs each once, with the form Zoom sent, saying the join is taken as present', () => {
    const said = lines.filter((l) => l.field === 'leave_time');
    expect(said.map((l) => l.reason).sort()).toEqual(['implausible', 'unreadable']);
    expect(said.find((l) => l.reason === 'unreadable')!.msg).toContain('(the first: "-")');
    for (const l of said) expect(l.msg).toContain('those joins are taken as still present');
  });
});
