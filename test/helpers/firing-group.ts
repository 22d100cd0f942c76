import type { Alert } from '../../src/evaluate/alert.js';
import type { NotifyStore } from '../../src/notify/pipeline/store.js';
import { NOW } from './alerts.js';

/** An empty group of receiver `hook`, with Alertmanager's default timings. */
export function openGroup(store: NotifyStore, key: string): void {
  store.openGroup({
    key,
    receiver: 'hook',
    labels: {},
    timing: { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000 },
  });
}

/** A group of receiver `hook` holding `a` firing, notified at NOW (in the notification log). */
export function firingGroup(store: NotifyStore, key: string, a: Alert): void {
  openGroup(store, key);
  store.groupAlert(key, a, NOW);
  store.logFiring(key, [a], NOW);
}
