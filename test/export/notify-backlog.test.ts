import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerBacklogMetrics } from '../../src/export/collectors/notify-backlog.js';
import type { NotifierBacklog } from '../../src/notify/dispatcher.js';

/**
 * The three outbox series by notifier read one backlog a scrape, not one each (review LOW, stop
 * 30: the outbox was walked three times a scrape), and say what they said before.
 */
describe('the outbox series by notifier', () => {
  it('read the backlog once a scrape and expose the same text as before', async () => {
    const registry = new Registry();
    let reads = 0;
    let backlog: NotifierBacklog[] = [
      { notifier: 'good', queued: 0, oldestAgeMs: 0, backingOff: false },
      { notifier: 'bad', queued: 3, oldestAgeMs: 90_500, backingOff: true },
    ];
    registerBacklogMetrics(registry, () => {
      reads++;
      return backlog;
    });

    expect(await registry.metrics()).toBe(
      [
        '# HELP qoswatch_notification_outbox_queued Notifications waiting in the outbox, by notifier.',
        '# TYPE qoswatch_notification_outbox_queued gauge',
        'qoswatch_notification_outbox_queued{notifier="good"} 0',
        'qoswatch_notification_outbox_queued{notifier="bad"} 3',
        '',
        '# HELP qoswatch_notification_outbox_oldest_age_seconds How long the oldest notification waiting for the notifier has waited (0 when none).',
        '# TYPE qoswatch_notification_outbox_oldest_age_seconds gauge',
        'qoswatch_notification_outbox_oldest_age_seconds{notifier="good"} 0',
        'qoswatch_notification_outbox_oldest_age_seconds{notifier="bad"} 90.5',
        '',
        '# HELP qoswatch_notification_backing_off 1 while the notifier backs off as a whole (after a timeout, a failed connection or a 429, until it delivers again).',
        '# TYPE qoswatch_notification_backing_off gauge',
        'qoswatch_notification_backing_off{notifier="good"} 0',
        'qoswatch_notification_backing_off{notifier="bad"} 1',
        '',
      ].join('\n'),
    );
    expect(reads).toBe(1);

    // The next scrape reads the backlog anew; a notifier gone from it is gone from all three.
    backlog = [{ notifier: 'good', queued: 1, oldestAgeMs: 2_000, backingOff: false }];
    const text = await registry.metrics();
    expect(reads).toBe(2);
    expect(text.split('\n').filter((l) => !l.startsWith('#') && l)).toEqual([
      'qoswatch_notification_outbox_queued{notifier="good"} 1',
      'qoswatch_notification_outbox_oldest_age_seconds{notifier="good"} 2',
      'qoswatch_notification_backing_off{notifier="good"} 0',
    ]);
  });
});
