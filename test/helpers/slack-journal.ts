import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, notification, NOW } from './alerts.js';
import type { FakeSlack, SlackCall } from './fake-slack.js';
import { receiversOf, routeAll, testDispatcher } from './hook-dispatcher.js';

/**
 * Slack deliveries on a NotifyStore with a journal (notify.json.delivered): each group of
 * receiver `slack` has three notifications queued, its first (a message posted), a reminder
 * (the message updated, a reply in its thread) and its resolve (the same, the thread closed).
 */
export const slackGroup = (g: number): string => `slack|{"participant":"p${g}"}`;

/**
 * A state dir with `groups` Slack groups' notifications queued (the first `steps` of each:
 * its first, reminder, resolve) and `others` groups' log entries, saved whole; its store.
 */
export function queuedForSlack(groups: number, others = 0, steps = 3): { dir: string; store: NotifyStore } {
  const dir = mkdtempSync(join(tmpdir(), 'qw-slack-journal-'));
  const store = new NotifyStore(dir);
  // Other groups' notification log entries (nothing due in them): notify.json's size.
  for (let i = 0; i < others; i++)
    store.logFiring(`hook|{"participant":"h${i}"}`, [alert({ participant: `h${i}` })], NOW);
  (['first', 'reminder', 'resolve'] as const).slice(0, steps).forEach((step, at) => {
    for (let g = 0; g < groups; g++) {
      const resolved = step === 'resolve';
      const n = notification({
        id: `${slackGroup(g)}#${step}`,
        receiver: 'slack',
        groupKey: slackGroup(g),
        firing: resolved ? [] : [alert({ participant: `p${g}` })],
        resolved: resolved ? [alert({ participant: `p${g}`, state: 'resolved' })] : [],
        createdAt: NOW + at,
      });
      store.enqueue(n, NOW);
    }
  });
  store.save();
  return { dir, store };
}

/** A start on `dir` after a kill. */
export const restart = (dir: string): NotifyStore => new NotifyStore(dir, undefined, NOW + 10);

/**
 * Delivers to the fake Slack all that `store` holds due (its notifier's memory in `store`),
 * after the start's whole write of notify.json (a dispatcher's start changes the store).
 */
export async function deliverToSlack(store: NotifyStore, slack: FakeSlack, apiUrl: string): Promise<void> {
  const clock = new VirtualClock(NOW + 10);
  const notifier = slackNotifier.create(
    { token: slack.token, channel: '#noc', api_url: apiUrl },
    { name: 'slack', clock, log: silentLogger(), memory: store.memory('slack') },
  );
  const timing = { groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 4 * 3_600_000 };
  const receivers = receiversOf({ slack: notifier });
  const d = testDispatcher({ route: routeAll('slack', timing), receivers, clock, store });
  store.save();
  await d.tick();
}

/**
 * The calls as one history: a message posted is `post #k` (k: the how-manieth), an update or
 * a thread reply names the message it goes to (`update #k`, `reply #k`), by its ts.
 */
export function threads(calls: readonly SlackCall[]): string[] {
  const posts: string[] = [];
  return calls.map((c) => {
    const ts = c.args.thread_ts ?? c.args.ts;
    const target = typeof ts === 'string' ? ts : '';
    if (c.method === 'chat.postMessage' && !target) {
      posts.push(c.ts ?? '');
      return `post #${posts.length - 1}`;
    }
    const k = posts.indexOf(target);
    return `${c.method === 'chat.update' ? 'update' : 'reply'} #${k < 0 ? `? (${target})` : k}`;
  });
}

/**
 * What a start makes of `dir` (notify.json with its journal applied), as the JSON it writes
 * whole, without its generation; `dir` itself is not touched.
 */
export function startedState(dir: string): Record<string, unknown> {
  const copy = mkdtempSync(join(tmpdir(), 'qw-started-'));
  for (const name of ['notify.json', 'notify.json.delivered'])
    if (existsSync(join(dir, name))) copyFileSync(join(dir, name), join(copy, name));
  new NotifyStore(copy).save();
  const state = JSON.parse(readFileSync(join(copy, 'notify.json'), 'utf8')) as Record<string, unknown>;
  delete state.generation;
  return state;
}
