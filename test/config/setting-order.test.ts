import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { linkChain, linksFollowed } from '../helpers/link-chain.js';

/** Settings that must agree with one another, and state.dir, refused by `check` and `run` at file:line:col. */

const dir = mkdtempSync(join(tmpdir(), 'qw-setting-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HEAD = 'zoom: { account_id: a, client_id: c, client_secret: s }\nsources: { webinars: false }\n';

let n = 0;
async function check(
  body: string,
  command = 'check',
): Promise<{ file: string; code: number | null; err: string }> {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, `${HEAD}${body}`);
  const r = await runCli([command, '--config', file]);
  return { file, code: r.code, err: r.stderr.trim() };
}

describe('delivery.retry_initial and retry_max', () => {
  // Old code: all three exit 0 with no error.
  it.each([
    [
      'delivery: {retry_initial: 10m, retry_max: 1s}',
      ':3:43: delivery.retry_max: found 1s, shorter than retry_initial (10m); expected at least retry_initial',
    ],
    [
      'delivery: {retry_initial: 10m}',
      ':3:27: delivery.retry_initial: found 10m, longer than retry_max (5m, its default); expected at most retry_max',
    ],
    [
      'delivery: {retry_max: 500ms}',
      ':3:23: delivery.retry_max: found 500ms, shorter than retry_initial (1s, its default); expected at least retry_initial',
    ],
  ])('%s is refused at the setting out of order', async (body, want) => {
    const r = await check(`${body}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${r.file}${want}`);
  });

  it('equal, or in order, is taken', async () => {
    const r = await check(
      'delivery: {retry_initial: 2m, retry_max: 2m}\npoll: {min_interval: 1m, max_interval: 1m}\n',
    );
    expect(r.code, r.err).toBe(0);
  });
});

describe('delivery.timeout and give_up_after', () => {
  // Old code: all three exit 0. An attempt that times out at or past give_up_after is dropped as
  // expired, never retried, and what waits behind it in the notifier's queue expires untried.
  it.each([
    [
      'delivery: {timeout: 10m, give_up_after: 2m}',
      ':3:41: delivery.give_up_after: found 2m, shorter than timeout (10m); expected longer than timeout',
    ],
    [
      'delivery: {timeout: 5m, give_up_after: 5m}',
      ':3:40: delivery.give_up_after: found 5m, as long as timeout (5m); expected longer than timeout',
    ],
    [
      'delivery: {give_up_after: 1m, timeout: 2m}',
      ':3:27: delivery.give_up_after: found 1m, shorter than timeout (2m); expected longer than timeout',
    ],
  ])('%s is refused', async (body, want) => {
    const r = await check(`${body}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${r.file}${want}`);
  });

  it('a timeout shorter than give_up_after, or the defaults (30s, 24h), is taken', async () => {
    expect((await check('delivery: {timeout: 59s, give_up_after: 1m}\n')).code).toBe(0);
    expect((await check('delivery: {timeout: 10m}\n')).code).toBe(0);
  });
});

describe('state.dir', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x\n');
  mkdirSync(join(dir, 'made'), { recursive: true });

  // Old code: check exits 0; run logs "cannot read state file ... starting without it", then "(EEXIST)".
  it.each(['check', 'run'])(
    'an existing file is refused by %s, before anything else is logged',
    async (command) => {
      const r = await check(`state: { dir: ${file} }\n`, command);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `${r.file}:3:15: state.dir: ${file} is a file, not a directory; expected a directory qoswatch can write (it is made when missing)`,
      );
    },
  );

  it('a path under a file is refused too, naming the file in the way', async () => {
    const r = await check(`state:\n  dir: ${file}/sub/state\n`);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `${r.file}:4:8: state.dir: ${file}, on the way to ${file}/sub/state, is a file, not a directory; expected a directory qoswatch can write (it is made when missing)`,
    );
  });

  it('a symbolic link that leads back to itself is refused by check too (hT40b: check said valid)', async () => {
    const loop = join(dir, 'loop');
    symlinkSync(loop, loop);
    const r = await check(`state: { dir: ${loop} }\n`);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `${r.file}:3:15: state.dir: ${loop} is a symbolic link that leads back to itself (ELOOP), not a directory; expected a directory qoswatch can write (it is made when missing)`,
    );
  });

  // Old code: the folder under the loop was named as the loop itself, and 41 links in a row (one
  // more than Linux follows, no loop) were called a loop. The chains are as long as the system
  // follows (linksFollowed: Linux 40, macOS 32), and one link longer.
  it('under a loop the loop is named; too many links in a row are no loop', async () => {
    const loop = join(dir, 'loop2');
    symlinkSync(loop, loop);
    const under = await check(`state: { dir: ${join(loop, 'state')} }\n`);
    expect(under.err).toBe(
      `${under.file}:3:15: state.dir: ${loop}, on the way to ${join(loop, 'state')}, is a symbolic link that leads back to itself (ELOOP), not a directory; expected a directory qoswatch can write (it is made when missing)`,
    );
    linkChain(dir, 'l', linksFollowed() + 1);
    const long = await check(`state: { dir: ${join(dir, 'l0', 'state')} }\n`);
    expect(long.code).toBe(2);
    expect(long.err).toBe(
      `${long.file}:3:15: state.dir: ${join(dir, 'l0')}, on the way to ${join(dir, 'l0', 'state')}, is a symbolic link that leads through more links in a row than the system follows (ELOOP; no loop), not a directory; expected a directory qoswatch can write (it is made when missing)`,
    );
    expect((await check(`state: { dir: ${join(dir, 'l1', 'state')} }\n`)).code).toBe(0);
  });

  it('a directory, or one still to be made, is taken', async () => {
    expect((await check(`state: { dir: ${join(dir, 'made')} }\n`)).code).toBe(0);
    expect((await check(`state: { dir: ${join(dir, 'not-yet', 'state')} }\n`)).code).toBe(0);
  });
});
