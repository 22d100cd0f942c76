import { describe, expect, it } from 'vitest';
import { JoinSlots } from '../../src/evaluate/join-slots.js';
import { SeriesBook, type SeriesRecord } from '../../src/evaluate/series.js';
import { rulesFrom } from '../helpers/rules.js';

// Only its name is read here: the group is what each record is given.
const [rule] = rulesFrom([
  { name: 'dc', metric: 'latency', when: 'above', threshold: '300ms', streams: ['any_audio'] },
]);

describe('SeriesBook: the series with a group', () => {
  it('are the ones with a group now, whether the group was set, cleared or the series dropped', () => {
    const book = new SeriesBook(new Map<string, SeriesRecord>(), new JoinSlots());
    const grouped = (): string[] => [...book.groupSeries()].map((s) => s.id);
    const a = book.record('a', rule!, { context: {}, group: 'SJC' });
    const b = book.record('b', rule!, { context: {}, group: 'AMS' });
    book.record('c', rule!, { context: {} });
    expect(grouped()).toEqual(['a', 'b']);
    // A series whose update clears its group leaves the set, and one that gains a group joins it.
    book.record('a', rule!, { context: {}, group: undefined });
    book.record('c', rule!, { context: {}, group: 'NRT' });
    expect(grouped()).toEqual(['b', 'c']);
    // Dropped after its group was cleared: nothing of it stays behind.
    b.group = undefined;
    book.drop(b);
    book.drop(a);
    expect(grouped()).toEqual(['c']);
  });
});

describe("SeriesBook: an instance's series", () => {
  it("are its participants' and its group's, in the order of the series map, after drops and a recount", () => {
    const book = new SeriesBook(new Map<string, SeriesRecord>(), new JoinSlots());
    const of = (ikey: string): string[] => book.ofInstance(ikey).map((s) => s.id);
    const p1 = book.record('p1', rule!, { context: {}, instance: 'm1', participantKey: 'u1' });
    book.record('g1', rule!, { context: {}, instance: 'm1' });
    book.record('q1', rule!, { context: {}, instance: 'm2', participantKey: 'u1' });
    book.record('dc', rule!, { context: {}, group: 'NY' });
    book.record('p2', rule!, { context: {}, instance: 'm1', participantKey: 'u2' });
    expect(of('m1')).toEqual(['p1', 'g1', 'p2']);
    expect(of('m2')).toEqual(['q1']);
    book.drop(p1);
    book.record('p1', rule!, { context: {}, instance: 'm1', participantKey: 'u1' }); // made again: last
    expect(of('m1')).toEqual(['g1', 'p2', 'p1']);
    // A record moved to another instance (no rule does so; the index follows it all the same).
    book.record('g1', rule!, { context: {}, instance: 'm3' });
    expect(of('m1')).toEqual(['p2', 'p1']);
    expect(of('m3')).toEqual(['g1']);
    book.setRules([rule!]); // counted again, in the map's order
    expect(of('m1')).toEqual(['p2', 'p1']);
    for (const s of book.ofInstance('m2')) book.drop(s);
    expect(of('m2')).toEqual([]);
    expect([...book.values()].map((s) => s.id)).toEqual(['g1', 'dc', 'p2', 'p1']);
  });
});
