import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { debianBinary } from '../helpers/binaries.js';
import { withoutNpmSettings } from '../helpers/cli.js';
import { onFreePort } from '../helpers/ports.js';

/**
 * The README's simulator block, run as written (one port changed), as a script: people paste it
 * whole. Before, its first curl ran while `npx qoswatch simulate &` was still starting (5-10 s)
 * and got no token (outside tester, stop 27).
 */
function block(): string {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');
  const m = /## The Zoom simulator[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README: no sh block under "## The Zoom simulator"');
  return m[1]!;
}

// The block calls curl: without it the script's wait loop never ends (the test timed out).
const curl = debianBinary('curl', 'curl');

describe("the README's simulator block", () => {
  // The script's process groups, ended after the test whatever happened: a timeout leaves the
  // test's own finally unrun, and the script's simulator and curl loop ran on for hours.
  const groups: ChildProcess[] = [];
  afterEach(() => {
    for (const child of groups.splice(0))
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // Gone meanwhile.
        }
      }
  });

  it.runIf(curl)('runs as a script, as written', { timeout: 90_000 }, async () => {
    // As from a user's shell: not with the npm_* settings of the npm that runs these tests (CI's
    // Node 24 run is `npx -p node@24 -c ...`, whose npm_config_call would be the script's npx's).
    const env = withoutNpmSettings();
    // The script must be told its port: on another when the one given was taken meanwhile (the
    // simulator then says EADDRINUSE, and the script's wait for it would never end).
    const out = await onFreePort((port) => {
      const script = block().replaceAll('9780', String(port));
      expect(script).toContain('npx qoswatch simulate');
      // Its own process group: the simulator it starts in the background goes with it.
      const child = spawn('bash', ['-c', script], { cwd: fromRoot(), detached: true, env });
      groups.push(child);
      let out = '';
      return new Promise<string>((resolve, reject) => {
        const check = (): void => {
          if (out.includes('"scenario"')) resolve(out);
          else if (out.includes('EADDRINUSE')) reject(new Error(out));
        };
        const add = (d: Buffer): void => {
          out += d.toString();
          check();
        };
        child.stdout.on('data', add);
        child.stderr.on('data', add);
        child.on('exit', () => resolve(out));
      }).finally(() => process.kill(-child.pid!, 'SIGTERM'));
    });
    // The token worked: the live list and a QoS page came back, then the status.
    expect(out).toContain('Weekly engineering sync');
    expect(out).toContain('"user_qos"');
    expect(out).toContain('"scenario":"default"');
  });
});
