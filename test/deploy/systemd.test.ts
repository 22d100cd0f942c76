import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { debianBinary } from '../helpers/binaries.js';

const analyze = debianBinary('systemd-analyze', 'systemd');
const unitFile = fromRoot('deploy', 'systemd', 'qoswatch.service');
const unit = readFileSync(unitFile, 'utf8');

/** systemd-analyze verify exits 0 even on unknown keys: anything it prints is a problem. */
function verify(file: string): { status: number | null; out: string } {
  const r = spawnSync(analyze!, ['verify', '--man=no', file], { encoding: 'utf8', cwd: tmpdir() });
  return { status: r.status, out: (r.stdout + r.stderr).trim() };
}

describe('deploy/systemd/qoswatch.service', () => {
  it.runIf(analyze)('passes systemd-analyze verify with nothing to say', () => {
    expect(verify(unitFile)).toEqual({ status: 0, out: '' });
  });

  it.runIf(analyze)('would be caught by the check if a setting were misspelt', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'qw-unit-')), 'qoswatch.service');
    writeFileSync(
      bad,
      unit.replace('Restart=on-failure', 'Restart=on-failur').replace('NoNewPrivileges', 'NoNewPrivilege'),
    );
    const r = verify(bad);
    expect(r.out).toContain('Failed to parse service restart specifier');
    expect(r.out).toContain("Unknown key 'NoNewPrivilege'");
  });

  it('runs node directly on the shipped config paths, restarts on failure but not on a config error, and is hardened', () => {
    const settings = new Map(
      unit
        .split('\n')
        .filter((l) => /^[A-Z]\w+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    expect(settings.get('ExecStart')).toBe(
      '/usr/bin/node /opt/qoswatch/dist/src/main.js run --config /etc/qoswatch/config.yaml',
    );
    expect(settings.get('Restart')).toBe('on-failure');
    expect(settings.get('RestartPreventExitStatus')).toBe('2');
    expect(settings.get('StateDirectory')).toBe('qoswatch');
    expect(settings.get('Environment')).toContain('QOSWATCH_STATE_DIR=/var/lib/qoswatch');
    for (const [k, v] of [
      ['DynamicUser', 'yes'],
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['CapabilityBoundingSet', ''],
    ])
      expect(settings.get(k!), k).toBe(v);
    // A stop must fit: qoswatch's own shutdown bound is under the unit's.
    expect(Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)![1])).toBeGreaterThan(5);
  });
});
