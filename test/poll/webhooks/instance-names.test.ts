import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../src/normalize/sample.js';
import { ENDED_KEEP_MS, InstanceNames, QUIET_KEEP_MS } from '../../../src/poll/webhooks/instance-names.js';
import { StateFiles } from '../../../src/util/state-files.js';
import { captureLog } from '../../helpers/log.js';

const T = Date.UTC(2026, 11, 2);
const ref = (uuid: string, id = '83000000001', topic = 'Standup'): InstanceRef => ({
  kind: 'meeting',
  id,
  uuid,
  topic,
});

/** The names as a new start on `dir` loads them, and what it logged. */
function reload(
  dir: string,
  now: number,
): { names: InstanceNames; lines: ReturnType<typeof captureLog>['lines'] } {
  const { log, lines } = captureLog();
  const names = new InstanceNames();
  names.persist(dir, new StateFiles(log, () => now), now);
  return { names, lines };
}

describe('the number and topic of pushed instances, kept in state.dir (issue 15)', () => {
  it('are written at flush and loaded by the next start; a UUID-only ref keeps what was learned', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-names-'));
    const names = new InstanceNames();
    names.persist(dir, new StateFiles(), T);
    names.learn(ref('a=='), T);
    names.learn(ref('a==', 'a==', ''), T + 1000); // a QoS push: the UUID only
    names.flush();
    expect(reload(dir, T + 60_000).names.get('meeting:a==')).toEqual(ref('a=='));
  });

  it('drop an ended instance ENDED_KEEP_MS after its end and a quiet one after QUIET_KEEP_MS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-names-'));
    const names = new InstanceNames();
    names.persist(dir, new StateFiles(), T);
    names.learn(ref('ended=='), T);
    names.learn(ref('quiet=='), T);
    names.ended('meeting:ended==', T + 60_000);
    names.flush();
    const soon = reload(dir, T + 60_000 + ENDED_KEEP_MS).names;
    expect([soon.get('meeting:ended==')?.id, soon.get('meeting:quiet==')?.id]).toEqual([
      undefined,
      '83000000001',
    ]);
    expect(reload(dir, T + QUIET_KEEP_MS).names.size).toBe(0);
  });

  it('a damaged file is set aside with one log line, and the start goes on without it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-names-'));
    writeFileSync(join(dir, 'instances.json'), '{"version":1,"instances":[{"ref":{"kind":"meet');
    const { names, lines } = reload(dir, T);
    expect(names.size).toBe(0);
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([
      expect.stringContaining('instances.json is corrupt'),
    ]);
    expect(readdirSync(dir).filter((f) => f.startsWith('instances.json.corrupt-'))).toHaveLength(1);
  });

  it('bad entries are discarded and named; the good ones are kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-names-'));
    const good = { ref: ref('good=='), seen: T };
    writeFileSync(
      join(dir, 'instances.json'),
      JSON.stringify({ version: 1, instances: [good, { ref: { kind: 'nope', uuid: 'x' }, seen: T }, 7] }),
    );
    const { names, lines } = reload(dir, T);
    expect(names.get('meeting:good==')).toEqual(ref('good=='));
    expect(lines.filter((l) => l.level >= 50)).toHaveLength(1);
    expect(lines[0]!.msg).toContain('discarded 2');
    expect(readFileSync(join(dir, 'instances.json'), 'utf8')).toContain('nope'); // not rewritten until a change
  });
});
