import type { Alert } from '../../evaluate/alert.js';
import type { NotifyStats } from './stats.js';

/** One "is it muted?" question for silences and inhibition alike (after Alertmanager's notify/mute.go). */
export interface Muter {
  /** Why the alert is muted now, or undefined. */
  muted(alert: Alert, firing: readonly Alert[], now: number): string | undefined;
  /** Why a silence muted the alert at some time in [from, to], or undefined. */
  silencedDuring(alert: Alert, from: number, to: number): string | undefined;
}

/**
 * The muting stage (Alertmanager's inhibit and silence stages): the firing alerts of a group
 * that no silence and no inhibition mutes now (kept), and those muted (counted).
 */
export function mute(
  alerts: readonly Alert[],
  muter: Muter,
  firingNow: readonly Alert[],
  now: number,
  stats: NotifyStats,
): { kept: Alert[]; muted: Alert[] } {
  const kept: Alert[] = [];
  const muted: Alert[] = [];
  for (const a of alerts) {
    if (a.state !== 'firing') continue;
    if (muter.muted(a, firingNow, now)) {
      stats.muted++;
      muted.push(a);
    } else kept.push(a);
  }
  return { kept, muted };
}
