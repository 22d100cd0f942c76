import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMuter } from '../../src/notify/mute.js';
import { markMuted } from '../../src/notify/pipeline/muted-episodes.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { alert, NOW } from '../helpers/alerts.js';
import { openGroup } from '../helpers/firing-group.js';
import { markMutedByWalk } from '../helpers/mark-muted-walk.js';
import { seeded } from '../helpers/storm.js';

/**
 * markMuted walked every group and each of its alerts after every ingest, building a Set of the
 * group's log each time; it now asks only about the alerts the store indexes as unsaid (neither
 * in the group's log nor marked muted). The same marks, ingest after ingest, on random runs of
 * group changes: the walk it was (test/helpers/mark-muted-walk.ts) against the one it is.
 */
const muter = new ConfigMuter(
  [{ matchers: { participant: ['p0', 'p1'] }, startsAt: NOW + 60_000, endsAt: NOW + 600_000, comment: 'x' }],
  [{ sourceMatch: { severity: 'critical' }, targetMatch: { severity: 'warning' }, equal: ['instance'] }],
);

const KEYS = ['hook|{"instance":"m0"}', 'hook|{"instance":"m1"}', 'hook|{"instance":"m2"}'];

/** The alerts a group neither says fire nor marked muted, by the definition (a walk). */
function unsaidByWalk(store: NotifyStore): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const g of store.groups()) {
    const logged = store.logEntry(g.key)?.firing ?? [];
    const ids = Object.keys(g.alerts).filter((id) => !logged.includes(id) && !g.muted?.includes(id));
    if (ids.length) out.set(g.key, new Set(ids));
  }
  return out;
}

/** One random step on both stores; an ingest's marks by the walk on `walk`, by markMuted on `indexed`. */
function step(random: () => number, stores: { walk: NotifyStore; indexed: NotifyStore }, t: number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const key = pick(KEYS);
  const a = alert({
    participant: `p${Math.floor(random() * 4)}`,
    meeting: key.includes('m0') ? 'm0' : key.includes('m1') ? 'm1' : 'm2',
    severity: random() < 0.2 ? 'critical' : 'warning',
    state: random() < 0.3 ? 'resolved' : 'firing',
  });
  const op = Math.floor(random() * 7);
  for (const [which, store] of Object.entries(stores)) {
    const g = store.group(key);
    if (op === 0 || !g) {
      if (!g) openGroup(store, key);
      store.groupAlert(key, a, t);
    } else if (op === 1) store.groupAlert(key, a, t);
    else if (op === 2)
      store.logFiring(
        key,
        Object.values(g.alerts).filter((x) => x.state === 'firing'),
        t,
      );
    else if (op === 3) store.ungroupAlert(key, a.id);
    else if (op === 4) store.unlogAlert(key, a.id);
    else if (op === 5) store.groupFlushed(key, t);
    else
      store.reconcileLog(
        () => undefined,
        (id) => !id.endsWith('/p3'),
      );
    const firing = store.groups().flatMap((x) => Object.values(x.alerts).filter((y) => y.state === 'firing'));
    const resolvedNow = new Set(a.state === 'resolved' ? [a.id] : []);
    if (which === 'walk') markMutedByWalk(store, muter, firing, resolvedNow, t);
    else markMuted(store, muter, firing, resolvedNow, t);
  }
}

describe('markMuted asks only about the alerts neither said firing nor marked', () => {
  it.each([1, 7, 42, 777, 4242])(
    'marks what the walk of every group marked, step by step (seed %i)',
    (seed) => {
      const random = seeded(seed);
      const stores = { walk: new NotifyStore(undefined), indexed: new NotifyStore(undefined) };
      let marked = 0;
      for (let i = 0; i < 400; i++) {
        const t = NOW + i * 5_000;
        step(random, stores, t);
        expect(stores.indexed.groups(), `seed ${seed} step ${i}`).toEqual(stores.walk.groups());
        expect(new Map(stores.indexed.unsaidAlerts())).toEqual(unsaidByWalk(stores.indexed));
        marked = stores.walk.groups().reduce((n, g) => n + (g.muted?.length ?? 0), marked);
      }
      // The runs mark something (silenced and inhibited alike), or the comparison says nothing.
      expect(marked).toBeGreaterThan(0);
    },
  );

  it('after a restart the index is made from the saved groups and log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-unsaid-'));
    const store = new NotifyStore(dir);
    const key = KEYS[0]!;
    openGroup(store, key);
    const told = alert({ participant: 'p2', meeting: 'm0' });
    const unsaid = alert({ participant: 'p3', meeting: 'm0' });
    store.groupAlert(key, told, NOW);
    store.logFiring(key, [told], NOW);
    store.groupAlert(key, unsaid, NOW);
    store.save();
    expect(store.unsaidAlerts()).toEqual([[key, new Set([unsaid.id])]]);
    expect(new NotifyStore(dir).unsaidAlerts()).toEqual([[key, new Set([unsaid.id])]]);
  });
});
