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
