import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fill, mountTmpfs } from '../helpers/small-disk.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { Storm, waitFor } from '../helpers/storm.js';

/**
 * The state directory on a 64 KiB tmpfs, filled up while the daemon runs: it keeps polling
 * and notifying from memory, counts the failed writes in
 * `qoswatch_state_write_failures_total{file}`, logs each file once, and writes again once
 * there is room.
 */

const dir = mkdtempSync(join(tmpdir(), 'qw-diskfull-'));
const disk = join(dir, 'disk');
mkdirSync(disk);
const { mounted, why } = mountTmpfs(disk, '64k');

const storm = new Storm({
  meetings: [
    {
      id: 86300000001,
      uuid: 'diskfull==',
      topic: 'Disk full',
      start: '0m',
      end: '3h',
      participants: [
        { key: 'bob', user_id: '7', name: 'Bob' },
        { key: 'ann', user_id: '8', name: 'Ann' },
      ],
    },
  ],
  episodes: [
    { where: { participant: 'bob' }, from: '2m', to: '6m', any: { latency: '600ms' } },
    { where: { participant: 'ann' }, from: '12m', to: '30m', any: { latency: '600ms' } },
  ],
});
beforeAll(async () => {
  if (!mounted) console.log(`disk-full test skipped: cannot mount a tmpfs (${why})`);
  await storm.start();
});
afterAll(async () => {
  await storm.close();
  if (mounted) execFileSync('umount', [disk]);
});

describe('a full disk under the state directory', () => {
  it.skipIf(!mounted)(
    'does not stop polling or notifying; failed writes are counted, logged once and retried',
    async () => {
      const config = storm.writeConfig(dir, '', undefined, join(disk, 'state'));
      const p = startCli(['run', '--config', config]);
      const cycles = (): number => p.output().split('"msg":"cycle:').length - 1;
      await waitFor('the first cycle', () => cycles() >= 1);
      const filler = join(disk, 'filler');
      fill(filler);

      storm.advance(5);
      await waitFor(
        'bob firing, notified while the disk is full',
        () => storm.deliveries.some((d) => d.status === 'firing'),
        30_000,
      );
      storm.advance(5);
      await waitFor(
        'bob resolved, notified while the disk is full',
        () => storm.deliveries.some((d) => d.status === 'resolved'),
        30_000,
      );
      const failures = p
        .output()
        .split('\n')
        .filter((l) => l.includes('cannot write state file'));
      expect(failures.length).toBeGreaterThanOrEqual(1);
      // Once per file for the whole episode, however many writes failed.
      const files = failures.map((l) => (JSON.parse(l) as { file: string }).file);
      expect(new Set(files).size).toBe(files.length);
      const url = /health on (http:\/\/[^/]+)\/healthz/.exec(p.output())![1]!;
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const counted = [...metrics.matchAll(/^qoswatch_state_write_failures_total\{file="([^"]+)"\} (\d+)/gm)];
      expect(counted.map((m) => m[1])).toContain('alerts.json');
      expect(counted.every((m) => Number(m[2]) >= 1)).toBe(true);

      rmSync(filler);
      storm.advance(5);
      await waitFor(
        'ann firing, notified with room again',
        () => storm.deliveries.filter((d) => d.status === 'firing').length >= 2,
        30_000,
      );
      // The write that failed is said to succeed again (an event, where waiting two more cycles
      // cost 10 s of real time each, the daemon's shortest poll interval).
      await waitFor(
        'alerts.json written again',
        () => /state file .*alerts\.json written again/.test(p.output()),
        30_000,
      );
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(storm.deliveries.map((d) => d.status)).toEqual(['firing', 'resolved', 'firing']);
    },
    120_000,
  );
});
