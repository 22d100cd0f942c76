import { describe, expect, it } from 'vitest';
import { isPartial, SampleDeduplicator, SEEN_MINUTES, STREAM_MINUTES } from '../../src/normalize/dedup.js';
import type { InstanceRef, QosSample } from '../../src/normalize/sample.js';
import {
  attachNumbers,
  JOIN_ROOM,
  numbersAt,
  numbersChunk,
  sampleNumbers,
} from '../../src/normalize/sample-numbers.js';

const meeting: InstanceRef = { kind: 'meeting', id: '1', uuid: 'u==', topic: 't' };
const T0 = Date.parse('2026-01-01T10:00:00Z');
const MIN = 60_000;

/** A sample of join `key` at minute `m` (from T0), with the stream types given. */
const at = (m: number, streams: string[] = ['audio_input'], key = 'j1', latency = 0.1): QosSample => ({
  instance: meeting,
  participant: { key, name: key, email: '', ip: '' },
  context: {},
  time: T0 + m * MIN,
  streams: Object.fromEntries(streams.map((s) => [s, { latency }])),
});

const minutes = (out: readonly QosSample[]): number[] => out.map((s) => (s.time - T0) / MIN);

describe('SampleDeduplicator: late minutes (issue 15 D2)', () => {
  it('counts an unseen older minute as late, apart from the samples for live rules, and its repeat as a duplicate', () => {
    const d = new SampleDeduplicator(3_600_000);
    const now = T0 + 10 * MIN;
    expect(minutes(d.filter([at(0), at(1), at(3)], now))).toEqual([0, 1, 3]);
    const late: QosSample[] = [];
    // Minute 2 was never seen: it arrives after minute 3 (a Zoom retry, or out of order).
    expect(d.filter([at(2)], now, (s) => late.push(s))).toEqual([]);
    expect(minutes(late)).toEqual([2]);
    expect(d.counts).toEqual({ new: 3, late: 1, duplicate: 0 });
    // The same minute again, and minutes handed on before: duplicates.
    expect(d.filter([at(2), at(1), at(3)], now, (s) => late.push(s))).toEqual([]);
    expect(late).toHaveLength(1);
    expect(d.counts).toEqual({ new: 3, late: 1, duplicate: 3 });
  });

  it("recognises Zoom's retries at +5, +20 and +60 minutes as duplicates, and unseen minutes that far back as late", () => {
    const d = new SampleDeduplicator(3 * 3_600_000);
    const now = T0 + 120 * MIN;
    // Minutes 0..70 pushed, except 9 and 69, in order.
    for (let m = 0; m <= 70; m++) if (m !== 9 && m !== 69) d.filter([at(m)], now);
    expect(d.counts.new).toBe(69);
    // Retries of minutes seen 5, 20 and 60 minutes ago: repeats.
    for (const back of [5, 20, 60]) expect(d.filter([at(70 - back)], now)).toEqual([]);
    expect(d.counts.duplicate).toBe(3);
    // Minute 9 (61 back) and 69 (1 back) were never seen: late, each once.
    let late = 0;
    d.filter([at(9), at(69), at(9), at(69)], now, () => late++);
    expect(late).toBe(2);
    expect(d.counts).toEqual({ new: 69, late: 2, duplicate: 5 });
  });

  it(`takes a minute more than ${SEEN_MINUTES} minutes older than the newest as late (its repeat cannot be told)`, () => {
    const d = new SampleDeduplicator(3 * 3_600_000);
    const now = T0 + 70 * MIN;
    d.filter([at(0)], now);
    d.filter([at(SEEN_MINUTES)], now);
    // Minute 0 is SEEN_MINUTES back: still remembered.
    expect(d.filter([at(0)], now, () => undefined)).toEqual([]);
    expect(d.counts.duplicate).toBe(1);
    d.filter([at(SEEN_MINUTES + 1)], now);
    let late = 0;
    d.filter([at(0)], now, () => late++);
    expect(late).toBe(1);
  });

  it('keeps the memory of minutes across jumps of 1 to 70 minutes', () => {
    for (let jump = 1; jump <= 70; jump++) {
      const d = new SampleDeduplicator(3 * 3_600_000);
      const now = T0 + 80 * MIN;
      d.filter([at(0), at(2)], now);
      d.filter([at(2 + jump)], now);
      let late = 0;
      const out = d.filter([at(0), at(1), at(2), at(2 + jump)], now, () => late++);
      expect(out, `jump ${jump}`).toEqual([]);
      // Minutes 0 and 2: repeats while remembered (up to SEEN_MINUTES back), late past it.
      const remembered = [0, 2].filter((m) => 2 + jump - m <= SEEN_MINUTES).length;
      expect(d.counts.duplicate, `jump ${jump}`).toBe(1 + remembered);
      // Minute 1 was never seen: late, within the window and past it.
      expect(late, `jump ${jump}`).toBe(1 + (2 - remembered));
    }
  });

  it('hands a batch on in time order whatever order it came in', () => {
    const d = new SampleDeduplicator(3_600_000);
    const now = T0 + 10 * MIN;
    expect(minutes(d.filter([at(3), at(1), at(2), at(1, ['audio_input'], 'j2')], now))).toEqual([1, 1, 2, 3]);
    expect(d.counts).toEqual({ new: 4, late: 0, duplicate: 0 });
  });
});

describe('SampleDeduplicator: one event per stream type (issue 15 D3)', () => {
  it('hands on a second stream type of the newest minute as that minute refined, with both streams', () => {
    const d = new SampleDeduplicator(3_600_000);
    const now = T0 + 10 * MIN;
    // Pushed (`keep`): the join's newest sample is kept to be refined.
    const [first] = d.filter([at(5, ['audio_input'], 'j1', 0.1)], now, undefined, true);
    const [second, ...rest] = d.filter([at(5, ['audio_output'], 'j1', 0.5)], now, undefined, true);
    expect(rest).toEqual([]);
    expect(second!.time).toBe(first!.time);
    expect(second!.streams).toEqual({ audio_input: { latency: 0.1 }, audio_output: { latency: 0.5 } });
    // The first sample is not changed (it went to the sinks as it was).
    expect(Object.keys(first!.streams)).toEqual(['audio_input']);
    // Each stream type again: duplicates.
    expect(d.filter([at(5, ['audio_output']), at(5, ['audio_input'])], now)).toEqual([]);
    expect(d.counts).toEqual({ new: 2, late: 0, duplicate: 2 });
  });

  it('merges stream types of one minute that come in one batch into one sample', () => {
    const d = new SampleDeduplicator(3_600_000);
    const out = d.filter(
      [at(5, ['audio_input']), at(5, ['video_input']), at(5, ['audio_input'])],
      T0,
      undefined,
      true,
    );
    expect(out).toHaveLength(1);
    expect(Object.keys(out[0]!.streams).sort()).toEqual(['audio_input', 'video_input']);
  });

  it('without the newest sample kept (polled), hands on the new stream type alone at its minute', () => {
    const d = new SampleDeduplicator(3_600_000);
    const [first] = d.filter([at(5, ['audio_input'], 'j1', 0.1)], T0);
    const second = { ...at(5, ['audio_output'], 'j1', 0.5), time: first!.time + 20_000 };
    const out = d.filter([second], T0);
    expect(out.map((s) => [s.time, Object.keys(s.streams)])).toEqual([[first!.time, ['audio_output']]]);
    expect(d.filter([second], T0)).toEqual([]);
  });

  it('counts a new stream type of an older minute as late, within the last minutes', () => {
    const d = new SampleDeduplicator(3_600_000);
    const now = T0 + 10 * MIN;
    d.filter([at(1, ['audio_input']), at(2, ['audio_input'])], now);
    let late = 0;
    expect(d.filter([at(1, ['audio_output'])], now, () => late++)).toEqual([]);
    expect(late).toBe(1);
    expect(d.filter([at(1, ['audio_output'])], now, () => late++)).toEqual([]);
    expect(late).toBe(1);
    expect(d.counts).toEqual({ new: 2, late: 1, duplicate: 1 });
  });

  it(`counts only the first sample of a late minute ${STREAM_MINUTES} or more minutes back as late: its other stream types as duplicates (documented: no per-minute stream memory that far back)`, () => {
    const d = new SampleDeduplicator(3_600_000);
    const now = T0 + 20 * MIN;
    d.filter([at(0), at(10)], now);
    const late: string[][] = [];
    const offer = (m: number, streams: string[]): void =>
      void d.filter([at(m, streams)], now, (s) => late.push(Object.keys(s.streams)));
    // Minute 10 - STREAM_MINUTES was never seen: its first event is late, a second stream type of it
    // is not told from a repeat and is counted as a duplicate; neither reaches live rules.
    offer(10 - STREAM_MINUTES, ['audio_input']);
    offer(10 - STREAM_MINUTES, ['audio_output']);
    // One minute nearer, the stream types are remembered: the second one is late too.
    offer(10 - STREAM_MINUTES + 1, ['audio_input']);
    offer(10 - STREAM_MINUTES + 1, ['audio_output']);
    expect(late).toEqual([['audio_input'], ['audio_input'], ['audio_output']]);
    expect(d.counts).toEqual({ new: 2, late: 3, duplicate: 1 });
  });

  it('takes a poll entry with every stream after a push of the same minute with every stream as a duplicate', () => {
    const d = new SampleDeduplicator(3_600_000);
    const all = ['audio_input', 'audio_output', 'video_input', 'video_output'];
    expect(d.filter([at(1, all)], T0)).toHaveLength(1);
    expect(d.filter([at(1, all), at(1, ['audio_input'])], T0)).toEqual([]);
  });

  it('marks a pushed sample partial while it lacks a stream type its join had the minute before', () => {
    const d = new SampleDeduplicator(3_600_000);
    const pushed = (s: QosSample): QosSample[] => d.filter([s], T0, undefined, true);
    const both = ['audio_input', 'audio_output'];
    expect(pushed(at(1)).map(isPartial)).toEqual([false]); // nothing known before
    expect(pushed(at(1, ['audio_output'])).map(isPartial)).toEqual([false]);
    expect(pushed(at(2)).map(isPartial)).toEqual([true]); // minute 1 had audio_output too
    expect(pushed(at(2, ['audio_output'])).map(isPartial)).toEqual([false]); // refined: whole
    expect(pushed(at(3, both)).map(isPartial)).toEqual([false]);
    expect(pushed(at(4)).map(isPartial)).toEqual([true]);
    // The join no longer sends audio_output: minute 5 is judged against minute 4's types.
    expect(pushed(at(5)).map(isPartial)).toEqual([false]);
    // After a gap nothing is known of the minute before; polled samples are never partial.
    expect(pushed(at(9)).map(isPartial)).toEqual([false]);
    expect(d.filter([at(10, both)], T0).map(isPartial)).toEqual([false]);
    expect(d.filter([at(11)], T0).map(isPartial)).toEqual([false]);
  });
});

describe('SampleDeduplicator: memory of many joins', () => {
  it('keeps each of hundreds of joins apart, and a join that takes a forgotten one’s place starts afresh', () => {
    const d = new SampleDeduplicator(30 * MIN);
    const keys = Array.from({ length: 300 }, (_, i) => `j${i}`);
    // Minutes 0-2 of every join, then minute 2 again of each: every repeat is a duplicate.
    for (let m = 0; m < 3; m++)
      d.filter(
        keys.map((k) => at(m, ['audio_input'], k)),
        T0 + m * MIN,
      );
    expect(
      d.filter(
        keys.map((k) => at(1, ['audio_input'], k)),
        T0 + 3 * MIN,
      ),
    ).toEqual([]);
    expect(d.counts).toEqual({ new: 900, late: 0, duplicate: 300 });
    expect(d.size).toBe(300);
    // The first half goes quiet and is forgotten; the rest go on to minute 40.
    for (let m = 3; m <= 40; m++)
      d.filter(
        keys.slice(150).map((k) => at(m, ['audio_input'], k)),
        T0 + m * MIN,
      );
    expect(d.size).toBe(150);
    // New joins take the forgotten ones' memory: their minutes are new, and an older one only late.
    const fresh = Array.from({ length: 150 }, (_, i) => `n${i}`);
    expect(
      minutes(
        d.filter(
          fresh.map((k) => at(40, ['audio_input'], k)),
          T0 + 40 * MIN,
        ),
      ),
    ).toEqual(fresh.map(() => 40));
    let late = 0;
    d.filter(
      fresh.map((k) => at(39, ['audio_input'], k)),
      T0 + 40 * MIN,
      () => late++,
    );
    expect(late).toBe(150);
    // The joins that stayed still remember their minutes, across the growth.
    expect(
      d.filter(
        keys.slice(150).map((k) => at(39, ['audio_input'], k)),
        T0 + 40 * MIN,
      ),
    ).toEqual([]);
    expect(d.seenUpTo(meeting, 'j299')).toBe(T0 + 40 * MIN);
    expect(d.seenUpTo(meeting, 'j0')).toBe(-Infinity);
  });
});

describe('SampleDeduplicator: a pushed sample kept for its join (issue 16, memory)', () => {
  it("keeps the join's newest sample with its numbers apart, not holding the 32 KiB chunk it shares with other samples", () => {
    const d = new SampleDeduplicator(3_600_000);
    const [kept, other] = [at(5, ['audio_input'], 'j1', 0.1), at(5, ['audio_input'], 'j2', 0.2)];
    attachNumbers(kept, [1, NaN, 0, 0.1]);
    attachNumbers(other, [1, NaN, 0, 0.2]);
    // Written one after another, the two share a chunk of doubles far longer than their numbers.
    expect(numbersChunk(kept)).toBe(numbersChunk(other));
    expect(numbersChunk(kept)!.length).toBeGreaterThan(1000);
    const before = sampleNumbers(kept);
    const out = d.filter([kept], T0 + 10 * MIN, undefined, true);
    expect(out).toEqual([kept]);
    // The old code kept the chunk: it stayed for up to the retention (3 h) after the join left.
    // Its own array: its numbers and the room before them for its join's row and version.
    expect(numbersChunk(kept)).toHaveLength(JOIN_ROOM + before!.length);
    expect(numbersAt(kept)).toBe(JOIN_ROOM);
    expect(sampleNumbers(kept)).toEqual(before);
    // The sample not kept (polled) is left in its chunk.
    d.filter([other], T0 + 10 * MIN);
    expect(numbersChunk(other)!.length).toBeGreaterThan(1000);
  });
});
