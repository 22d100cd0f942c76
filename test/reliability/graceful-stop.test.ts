import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { Storm, waitFor } from '../helpers/storm.js';

/**
 * SIGTERM just after an alert resolved: the resolve goes out before the process exits (not
 * group_interval later, and not never), and after a restart the same alert's next firing is
 * notified, not held back by what the notification log said before.
 */

const storm = new Storm({
  meetings: [
    {
      id: 86200000001,
      uuid: 'graceful==',
      topic: 'Graceful',
      start: '0m',
      end: '3h',
      participants: [{ key: 'bob', user_id: '7', name: 'Bob' }],
    },
  ],
  episodes: [
    { where: { participant: 'bob' }, from: '2m', to: '6m', any: { latency: '600ms' } },
    { where: { participant: 'bob' }, from: '14m', to: '30m', any: { latency: '600ms' } },
  ],
});
const dir = mkdtempSync(join(tmpdir(), 'qw-graceful-'));
beforeAll(async () => storm.start());
afterAll(async () => storm.close());

describe('a daemon stopped with SIGTERM just after an alert resolved', () => {
  it('sends the resolve before it exits, and after a restart notifies the next firing', async () => {
    // A long group_interval: without the flush at shutdown the resolve would wait an hour.
    const config = storm.writeConfig(dir, '', 'group_wait: 0s, group_interval: 1h');
    const statuses = (): string[] => storm.deliveries.map((d) => d.status);
    // Started 3 minutes into the first episode: its first cycle fires (a cycle after the first
    // is 10 s of real time, the daemon's shortest poll interval), the next one resolves.
    storm.advance(5);
    const first = startCli(['run', '--config', config]);
    await waitFor('the firing notification', () => statuses().includes('firing'), 30_000);
    storm.advance(4);
    await waitFor('the resolve in the log', () => first.output().includes('RESOLVED latency-high'), 30_000);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(statuses()).toEqual(['firing', 'resolved']);

    storm.advance(8);
    const second = startCli(['run', '--config', config]);
    await waitFor('the second firing notification', () => statuses().length === 3, 30_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(statuses()).toEqual(['firing', 'resolved', 'firing']);
    expect(new Set(storm.deliveries.map((d) => d.id)).size).toBe(3);
  }, 120_000);
});
