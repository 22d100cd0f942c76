import { bench, describe } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import { ConfigMuter } from '../../src/notify/mute.js';
import { markMuted } from '../../src/notify/pipeline/muted-episodes.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { alert, NOW } from '../helpers/alerts.js';
import { openGroup } from '../helpers/firing-group.js';
import { markMutedByWalk } from '../helpers/mark-muted-walk.js';

/**
 * After every ingest, markMuted with 360 groups of 3 alerts each, all told but one (the usual
 * state in a long incident): before, a walk of every group and alert with a Set of each group's
 * log (test/helpers/mark-muted-walk.ts); now, only the alerts the store indexes as unsaid.
 */
function filled(): { store: NotifyStore; firing: Alert[] } {
  const store = new NotifyStore(undefined);
  const firing: Alert[] = [];
  for (let g = 0; g < 360; g++) {
    const key = `hook|{"instance":"m${g}"}`;
    openGroup(store, key);
    const alerts = [0, 1, 2].map((p) => alert({ participant: `p${p}`, meeting: `m${g}` }));
    for (const a of alerts) store.groupAlert(key, a, NOW);
    store.logFiring(key, g === 0 ? alerts.slice(0, 2) : alerts, NOW);
    firing.push(...alerts);
  }
  return { store, firing };
}

// A silence that matches nobody: what is measured is the walk, not an inhibition's search of `firing`.
const muter = new ConfigMuter([{ matchers: { participant: 'nobody' }, comment: '' }]);
const { store, firing } = filled();
const none = new Set<string>();

describe('markMuted after an ingest, 360 groups of 3 alerts, one not told', () => {
  bench('walk of every group and alert (before)', () => markMutedByWalk(store, muter, firing, none, NOW));
  bench('the unsaid alerts only (now)', () => markMuted(store, muter, firing, none, NOW));
});
