import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import { FUTURE_TOLERANCE_MS } from '../../src/poll/future.js';
import { EventClock, type EventTsVerdict } from '../../src/poll/webhooks/event-clock.js';
import { readQss } from '../../src/poll/webhooks/qss.js';
import { WebhookReceiver } from '../../src/poll/webhooks/receiver.js';
import { Spool, type SpoolEntry } from '../../src/poll/webhooks/spool.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { printed, runCli, startCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/http-server.js';

describe('qoswatch simulate --push-to', () => {
  it('refuses wrong --push-* options before serving anything: exit 2, the reason, no simulator left running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-push-opts-'));
    const empty = join(dir, 'empty-secret');
    writeFileSync(empty, '\n');
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'cli-secret\n');
    const hook = 'http://127.0.0.1:9/zoom/qss';
    const cases: [string[], string][] = [
      [['--push-to', hook], '--push-to needs the secret token'],
      [['--push-to', hook, '--push-secret-file', empty], `--push-secret-file: ${empty} is empty`],
      // Old code: "cannot read <file>: ENOENT" and "cannot read <dir>: EISDIR", in words of its own.
      [
        ['--push-to', hook, '--push-secret-file', join(dir, 'none')],
        `--push-secret-file: cannot read ${join(dir, 'none')} (ENOENT); expected the app's secret token`,
      ],
      [
        ['--push-to', hook, '--push-secret-file', dir],
        `--push-secret-file: cannot read ${dir} (EISDIR); expected the app's secret token`,
      ],
      [
        ['--push-to', 'ftp://127.0.0.1/x'],
        '--push-to: found "ftp://127.0.0.1/x": its scheme is ftp:, expected http:// or https://',
      ],
      [['--push-to', 'not a url'], '--push-to: found "not a url": no http:// or https:// at its start'],
      // The port was the problem, and the old answer was 'expected an http:// or https:// URL'.
      [
        ['--push-to', 'http://127.0.0.1:99999/x'],
        '--push-to: found "http://127.0.0.1:99999/x": its port 99999 is out of range; expected a port from 1 to 65535',
      ],
      // A credential in its query: hidden, and the reason still said (before stop 40 the line
      // ended at 'found http://127.0.0.1:99999/x?token=[redacted]', hidden to its end).
      [
        ['--push-to', 'http://127.0.0.1:99999/x?token=q-s3 cr3t'],
        '--push-to: found "http://127.0.0.1:99999/x?token=[redacted]": its port 99999 is out of range; expected a port from 1 to 65535',
      ],
      [
        ['--push-to', 'http://127.0.0.1:x9/x'],
        'its port x9 is not a number; expected a port from 1 to 65535',
      ],
      [
        ['--push-to', 'http://a b/x'],
        '--push-to: found "http://a b/x": not a valid URL (its host a b is not a host name or IP address)',
      ],
      [['--push-every', '30s'], '--push-every is for pushing: give --push-to URL too'],
      [
        ['--push-to', hook, '--push-secret-file', secret, '--push-every', '0s'],
        '--push-every: found 0s; expected a duration from 1s to 24h',
      ],
      [
        ['--push-to', hook, '--push-secret-file', secret, '--push-every', '999999h'],
        'expected a duration from 1s to 24h',
      ],
      [['--push-to', ''], '--push-to: expected an http:// or https:// URL, found nothing'],
    ];
    for (const [args, reason] of cases) {
      // Before, the first case printed its usage error and went on serving: runCli never returned.
      const r = await runCli(['simulate', '--port', '0', ...args], { QOSWATCH_PUSH_SECRET_TOKEN: '' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(reason);
      expect(r.stderr).not.toContain('cr3t');
      expect(r.stdout).not.toContain('qoswatch simulator:');
    }
    // 12 processes one after the other: 35 s at load 20, against vitest's default 60 s.
  }, 180_000);

  it('refuses a --push-secret-file over 64 KiB, the bound of every secret file: one usage line, exit 2', async () => {
    // Tester (stop 40, MEDIUM): a 3 MB secret file was read whole and the simulator went on
    // serving (the old code: no such line, the test fails on its deadline, the process killed).
    const big = join(mkdtempSync(join(tmpdir(), 'qw-push-big-')), 'secret');
    writeFileSync(big, 's'.repeat(3_000_000));
    const p = startCli([
      'simulate',
      '--port',
      '0',
      '--push-to',
      'http://127.0.0.1:9/q',
      '--push-secret-file',
      big,
    ]);
    try {
      await printed(p, 'expected a secret file', 30_000);
      expect(await p.exited).toBe(2);
      expect(p.output().trim()).toBe(
        `qoswatch simulate: --push-secret-file: ${big} is 3000000 bytes; expected a secret file of at most 64 KiB (the app's secret token); see \`qoswatch simulate --help\``,
      );
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 60_000);

  it("names the --push-to URL in its 'pushing:' banner without its user:password", async () => {
    const hook = new TestServer();
    const port = new URL(await hook.listen()).port;
    const p = startCli(
      ['simulate', '--port', '0', '--push-to', `http://qw-user:pw-s3cr3t@127.0.0.1:${port}/zoom/qss`],
      { QOSWATCH_PUSH_SECRET_TOKEN: 'cli-secret' },
    );
    try {
      await printed(p, /^ {2}pushing: .*\n/m);
      p.child.kill('SIGTERM');
      expect(await p.exited, p.output()).toBe(0);
      // Before e34de9e the banner read 'QSS events to http://qw-user:pw-s3cr3t@127.0.0.1:...'.
      expect(p.output()).toMatch(
        new RegExp(
          `^ {2}pushing: {2}QSS events to http://\\[redacted\\]@127\\.0\\.0\\.1:${port}/zoom/qss every 60s`,
          'm',
        ),
      );
      expect(p.output()).not.toContain('pw-s3cr3t');
    } finally {
      p.child.kill('SIGKILL');
      await hook.close();
    }
  });

  it("pushes the scenario's QoS as signed QSS events that the receiver verifies, forgeries and replays included", async () => {
    const records: SpoolEntry[] = [];
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'qw-push-cli-')));
    const receiver = new WebhookReceiver(
      {
        host: '127.0.0.1',
        port: 0,
        apps: [{ name: 'sim', path: '/zoom/qss', secretToken: 'cli-secret' }],
        maxBodyBytes: 65_536,
        maxAgeMs: 300_000,
        takeoverAfterMs: 180_000,
      },
      { clock: systemClock, log: silentLogger(), spool, onRecord: (e) => records.push(e) },
    );
    const url = `${await receiver.listen()}/zoom/qss`;
    const p = startCli(
      [
        'simulate',
        '--port',
        '0',
        // 10x: a round every 6 s. The event clock takes a skew that rose by at most 5 minutes
        // since the last round (event-clock.ts): at 60x (59 s of skew a second, a round a second)
        // a 5 s stall of this process's receiver (its fsyncs) on a loaded machine made the next
        // round's events 'ahead'; at 10x a stall has 33 s.
        '--speed',
        '10',
        '--push-to',
        url,
        '--push-faults',
        'replay=0.2,bad_signature=0.2,duplicate=0.2,out_of_order',
      ],
      { QOSWATCH_PUSH_SECRET_TOKEN: 'cli-secret' },
    );
    try {
      // Waiting on another process's rounds (a simulated minute every 6 s), bounded.
      const delivered = (): number =>
        Number([...p.output().matchAll(/(\d+) delivered, 0 failed/g)].at(-1)?.[1] ?? 0);
      // Three rounds at least: the first is pushed at the scenario's start, before its fast clock
      // has run ahead of real time, and the skew checked below shows only from the rounds after
      // (on a fast machine the first round alone delivered more than 10 and the test stopped there).
      const rounds = (): number => [...p.output().matchAll(/^pushed: /gm)].length;
      for (const end = Date.now() + 45_000; Date.now() < end && (delivered() <= 10 || rounds() < 3);)
        await new Promise((r) => setTimeout(r, 50));
      // Stopped between rounds, so the counts below are of whole rounds.
      p.child.kill('SIGTERM');
      expect(await p.exited, p.output()).toBe(0);
      expect(delivered()).toBeGreaterThan(10);
      expect(rounds()).toBeGreaterThanOrEqual(3);
      expect(records.length + (receiver.stats.outcomes.get('duplicate') ?? 0)).toBe(delivered());
      expect(receiver.stats.refused.get('bad_signature')).toBeGreaterThan(0);
      expect(receiver.stats.refused.get('replay')).toBeGreaterThan(0);
      expect(receiver.stats.outcomes.get('duplicate')).toBeGreaterThan(0);
      const stats = new NormalizeStats();
      let samples = 0;
      const types = new Map<string, number>();
      // At --speed 10 event_ts and date_time follow the fast scenario clock, the signatures real
      // time: the daemon's event clock follows that steady skew, and no sample is dated ahead of it.
      const clock = new EventClock('follow');
      const verdicts = new Map<EventTsVerdict, number>();
      let ahead = 0;
      for (const { record } of records) {
        const m = readQss(JSON.parse(record.body));
        types.set(m?.type ?? 'unreadable', (types.get(m?.type ?? 'unreadable') ?? 0) + 1);
        if (m?.type !== 'qos') continue;
        const got = normalizeParticipant(m.instance, m.participant, {}, stats);
        samples += got.length;
        expect(record.ts).toBeDefined();
        const { zoomNow, verdict } = clock.judge(m.eventTs, record.ts!);
        verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
        ahead += got.filter((x) => x.time > zoomNow + FUTURE_TOLERANCE_MS).length;
      }
      expect([...verdicts.keys()]).toEqual(['trusted']);
      expect(ahead).toBe(0);
      expect(clock.skewMs).toBeGreaterThan(30_000);
      // QoS, the context of each join (participant_data) and leaves, all readable.
      expect([...types.keys()].sort()).toEqual(expect.arrayContaining(['context', 'qos']));
      expect(types.has('unreadable')).toBe(false);
      expect(samples).toBeGreaterThanOrEqual(types.get('qos')!);
      expect(stats.samplesInvalid).toBe(0);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
      await receiver.close();
      await spool.close();
    }
  });
});
