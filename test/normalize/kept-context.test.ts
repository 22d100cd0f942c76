import { describe, expect, it } from 'vitest';
import { keptContext } from '../../src/normalize/kept-context.js';
import type { ParticipantContext } from '../../src/normalize/sample.js';

/*
 * A sample's context as kept (normalize/kept-context.ts): the live state and the rule engine
 * each keep the context of the samples they read, and must hold one object per join between
 * them, whether the sample's context can be stamped (a poll's: plain objects) or not (frozen).
 */

const fresh = (): ParticipantContext => ({ dataCenter: 'SC', networkType: 'Wifi', device: 'Mac' });

describe('a kept context', () => {
  for (const [how, make] of [
    ['a plain context', fresh],
    ['a frozen context', () => Object.freeze(fresh())],
  ] as const)
    it(`is the same object for every holder of ${how}, and a new one only when the fields change`, () => {
      const first = make();
      const live = keptContext(first, undefined);
      expect(live).toEqual(first);
      expect(live).not.toBe(first);
      expect(keptContext(first, undefined)).toBe(live); // the second holder, with none of its own
      // The next poll's context (a new object), the same fields: the holder's last kept one.
      const next = make();
      expect(keptContext(next, live)).toBe(live);
      expect(keptContext(next, undefined)).toBe(live);
      // A copy is its own sample's context: not taken for the one it was copied from.
      const moved = { ...next, networkType: 'Wired' };
      const other = keptContext(moved, live);
      expect(other).toEqual(moved);
      expect(other).not.toBe(live);
      expect(keptContext(moved, undefined)).toBe(other);
      // Nothing a copy, JSON or the keys would see.
      expect(Object.keys(first)).toEqual(['dataCenter', 'networkType', 'device']);
      expect({ ...first }).toEqual(fresh());
    });

  it('is one object for every join whose context has the same fields and values, in the same order', () => {
    const a = keptContext({ dataCenter: 'AM', networkType: 'Wired', device: 'iOS' }, undefined);
    const b = keptContext({ dataCenter: 'AM', networkType: 'Wired', device: 'iOS' }, undefined);
    expect(b).toBe(a);
    // Another value, another field, the same fields in another order, or one missing: its own.
    const others = [
      { dataCenter: 'AM', networkType: 'Wired', device: 'Mac' },
      { dataCenter: 'AM', networkType: 'Wired', device: 'iOS', health: 'Good' },
      { networkType: 'Wired', dataCenter: 'AM', device: 'iOS' },
      { dataCenter: 'AM', networkType: 'Wired' },
    ];
    for (const c of others) {
      const kept = keptContext({ ...c }, undefined);
      expect(kept).toEqual(c);
      expect(Object.keys(kept)).toEqual(Object.keys(c));
      expect(kept).not.toBe(a);
      expect(keptContext({ ...c }, undefined)).toBe(kept);
    }
  });
});

describe("a sample's context against its join's kept one (issue 16: compared in the kept one's field order)", () => {
  const kept = (): Readonly<ParticipantContext> =>
    keptContext({ dataCenter: 'NY', networkType: 'Wired', device: 'Mac', location: undefined }, undefined);

  it('is the kept one when the fields and values are the same, in its order or in another', () => {
    const last = kept();
    expect(
      keptContext({ dataCenter: 'NY', networkType: 'Wired', device: 'Mac', location: undefined }, last),
    ).toBe(last);
    // Another order: the same fields and values (read by name).
    expect(
      keptContext({ device: 'Mac', location: undefined, networkType: 'Wired', dataCenter: 'NY' }, last),
    ).toBe(last);
  });

  it('is another when a value, a field or the number of fields differs', () => {
    const last = kept();
    const others: ParticipantContext[] = [
      { dataCenter: 'NY', networkType: 'Wired', device: 'iOS', location: undefined }, // the last value
      { dataCenter: 'SC', networkType: 'Wired', device: 'Mac', location: undefined }, // the first value
      { dataCenter: 'NY', networkType: 'Wired', device: 'Mac', location: 'X' }, // undefined, now a value
      { dataCenter: 'NY', networkType: 'Wired', device: 'Mac' }, // a field fewer
      { dataCenter: 'NY', networkType: 'Wired', device: 'Mac', location: undefined, health: 'Good' }, // one more
      { dataCenter: 'NY', networkType: 'Wired', device: 'Mac', health: 'Good' }, // another name
      { networkType: 'Wired', dataCenter: 'NY', location: undefined, device: 'iOS' }, // another order and value
    ];
    for (const c of others) {
      const got = keptContext({ ...c }, last);
      expect(got, Object.entries(c).join(' ')).not.toBe(last);
      expect(got).toEqual(c);
      expect(Object.keys(got)).toEqual(Object.keys(c));
    }
  });
});
