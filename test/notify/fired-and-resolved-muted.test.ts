import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../src/evaluate/alert.js';
import type { RawInhibitRule, RawSilence } from '../../src/config/raw.js';
import { silenceSettings } from '../../src/config/silences.js';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { compileSilence, silenceOverlaps } from '../../src/notify/mute.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { hookDispatcher, type HookDispatcherOptions } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';

/**
 * An alert muted while it fired stays muted when it fires and resolves before its group says it
 * fires (outside tester hT41, stop 41, HIGH, on 9db32b6): the episode was muted only if a
 * silence or an inhibition muted it at the flush, so with inhibit_rules (a meeting alert mutes
 * its participants' alerts) every recovery sent each inhibited alert as FIRED AND RESOLVED, and
 * an alert that fired and resolved inside a silence went out at the first flush after it ended.
 * Alertmanager sends nothing in either case. Against the webhook receiver over HTTP, with the
 * clock driven (group_wait 30 s, group_interval 5 min).
 */
const SEC = 1000;
const MIN = 60 * SEC;
const INHIBIT: RawInhibitRule[] = [
  { source_match: { alertname: 'src-jit' }, target_match: { alertname: 'tgt-lat' }, equal: ['instance'] },
];
const jit = alert({ rule: 'src-jit', severity: 'critical', firingSince: NOW, valueText: '150 ms' });
const lat = alert({ rule: 'tgt-lat', firingSince: NOW, valueText: '999 ms' });
const ended = (a: Alert, at: number): Alert => ({
  ...a,
  state: 'resolved',
  reason: 'recovered',
  resolvedAt: at,
  lastSampleAt: at,
  valueText: '20 ms',
});
const iso = (t: number): string => new Date(t).toISOString();

interface Page {
  alerts: { labels: Record<string, string>; status: string; fired_and_resolved?: boolean }[];
}

const hook = new TestServer();
beforeAll(async () => hook.listen());
afterAll(async () => hook.close());

/** What the receiver got since `from`: per message, each alert as `status alertname` (`*`: fired and resolved). */
const said = (from: number): string[][] =>
  hook.received
    .slice(from)
    .map((r) => JSON.parse(r.body) as Page)
    .map((p) => p.alerts.map((a) => `${a.status} ${a.labels.alertname!}${a.fired_and_resolved ? ' *' : ''}`));

/** A dispatcher, its clock at NOW, and a step that moves the clock in 5 s ticks. */
function setup(opts: HookDispatcherOptions, state = mkdtempSync(join(tmpdir(), 'qw-muted-ep-'))) {
  const clock = new VirtualClock(NOW);
  const d = hookDispatcher(hook.url, clock, state, opts);
  const advance = async (on: Dispatcher, ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 5 * SEC) {
      clock.advance(5 * SEC);
      await on.tick();
    }
  };
  return { clock, d, state, advance, from: hook.received.length };
}

/** tgt-lat fires, resolves `lasting` later, then a minute passes: what the receiver got. */
async function latEpisode(opts: HookDispatcherOptions, lasting: number): Promise<string[][]> {
  const { d, advance, from, clock } = setup(opts);
  d.ingest(changes(lat));
  await advance(d, lasting);
  d.ingest(changes(ended(lat, clock.now())));
  await advance(d, MIN);
  return said(from);
}

describe('an alert an inhibition muted while it fired', () => {
  it('sends nothing for it when the inhibiting alert resolves first (fired and resolved on the old code)', async () => {
    const { d, advance, from, clock } = setup({ inhibit: INHIBIT });
    d.ingest(changes(lat, jit));
    await advance(d, MIN);
    d.ingest(changes(ended(jit, clock.now())));
    d.ingest(changes(ended(lat, clock.now())));
    await advance(d, 6 * MIN);
    expect(said(from)).toEqual([['firing src-jit'], ['resolved src-jit']]);
  });

  it('sends nothing for it when both resolve in one poll, in either order', async () => {
    for (const order of [0, 1]) {
      const { d, advance, from, clock } = setup({ inhibit: INHIBIT });
      d.ingest(changes(jit, lat));
      await advance(d, MIN);
      const both = [ended(jit, clock.now()), ended(lat, clock.now())];
      d.ingest(changes(...(order ? both.reverse() : both)));
      await advance(d, 6 * MIN);
      expect(said(from)).toEqual([['firing src-jit'], ['resolved src-jit']]);
    }
  });

  it('muted only between two polls, with no flush then: the inhibiting alert goes, it does not', async () => {
    const { d, advance, from, clock } = setup({ inhibit: INHIBIT });
    d.ingest(changes(lat));
    await advance(d, 5 * SEC);
    d.ingest(changes(jit));
    await advance(d, 5 * SEC);
    d.ingest(changes(ended(jit, clock.now())));
    await advance(d, 5 * SEC);
    d.ingest(changes(ended(lat, clock.now())));
    await advance(d, 6 * MIN);
    expect(said(from)).toEqual([['resolved src-jit *']]);
  });

  it('stays muted across a restart between its flush and its resolve (the mark is in notify.json)', async () => {
    const { d, advance, from, clock, state } = setup({ inhibit: INHIBIT });
    d.ingest(changes(jit, lat));
    await advance(d, MIN);
    d.ingest(changes(ended(jit, clock.now())));
    // Killed; the next start has tgt-lat firing alone: nothing mutes it now.
    const d2 = hookDispatcher(hook.url, clock, state, {
      inhibit: INHIBIT,
      store: new NotifyStore(state, undefined, clock.now()),
    });
    d2.seed([lat]);
    d2.ingest(changes(ended(lat, clock.now())));
    await advance(d2, 6 * MIN);
    expect(said(from)).toEqual([['firing src-jit'], ['resolved src-jit']]);
  });

  it('an episode never muted still goes, with the inhibiting rule configured', async () => {
    expect(await latEpisode({ inhibit: INHIBIT }, 10 * SEC)).toEqual([['resolved tgt-lat *']]);
  });
});

describe('an alert a silence muted while it fired', () => {
  const silence = (starts: number | undefined, ends: number): RawSilence[] => [
    { matchers: { alertname: 'tgt-lat' }, ...(starts ? { starts: iso(starts) } : {}), ends: iso(ends) },
  ];

  it('sends nothing when it fired and resolved inside a silence that ended before the flush (sent on the old code)', async () => {
    expect(await latEpisode({ silences: silence(undefined, NOW + 20 * SEC) }, 10 * SEC)).toEqual([]);
  });

  it('sends nothing when a silence began and ended between its firing and its resolve', async () => {
    expect(await latEpisode({ silences: silence(NOW + 5 * SEC, NOW + 15 * SEC) }, 20 * SEC)).toEqual([]);
  });

  it('sends it when the silence ended before it fired', async () => {
    expect(await latEpisode({ silences: silence(NOW - 10 * MIN, NOW - MIN) }, 10 * SEC)).toEqual([
      ['resolved tgt-lat *'],
    ]);
  });
});

describe('silenceOverlaps', () => {
  // Quiet hours 22:00 to 07:00 in Berlin (UTC+2 in May): 20:00 to 05:00 UTC.
  const quiet = compileSilence(
    silenceSettings({
      matchers: { alertname: 'tgt-lat' },
      recurring: { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin' },
    }),
  );
  const at = (hhmm: string): number => Date.parse(`2026-05-04T${hhmm}:00Z`);

  it('meets a recurring window that begins inside the span, not one outside it', () => {
    expect(silenceOverlaps(quiet, at('19:50'), at('20:05'))).toBe(true);
    expect(silenceOverlaps(quiet, at('19:00'), at('19:59') + 59 * SEC)).toBe(false);
    expect(silenceOverlaps(quiet, at('05:00'), at('19:00'))).toBe(false);
    expect(silenceOverlaps(quiet, at('04:59'), at('04:59'))).toBe(true);
  });

  it('a silence with an end is over at its end; one with a start not on before it', () => {
    const s = compileSilence(
      silenceSettings({ matchers: {}, starts: iso(at('10:00')), ends: iso(at('11:00')) }),
    );
    expect(silenceOverlaps(s, at('11:00'), at('12:00'))).toBe(false);
    expect(silenceOverlaps(s, at('09:00'), at('09:59'))).toBe(false);
    expect(silenceOverlaps(s, at('09:00'), at('10:00'))).toBe(true);
    expect(silenceOverlaps(s, at('10:59'), at('12:00'))).toBe(true);
  });
});
