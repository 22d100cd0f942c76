import { existsSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';

/** Where a Debian package installs a binary: looked for on PATH first, then in /usr/bin and /usr/sbin. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/**
 * Debian binaries some integration tests start (installed by .ci/run). On CI a missing one is
 * an error; on a machine with only Node and npm those tests are skipped, and the run ends by
 * listing them with this reason (test/helpers/skip-reporter.ts).
 */
export function debianBinary(nameOrPath: string, debianPackage?: string): string | undefined {
  const name = basename(nameOrPath);
  debianPackage ??= name === 'promtool' ? 'prometheus' : name;
  const found = findBinary(name);
  if (found) return found;
  if (process.env.CI) throw new Error(`${name} is missing: .ci/run installs it with apt-get`);
  console.warn(
    `${SKIP_MARK} ${name} not found on PATH (apt-get install ${debianPackage}, or put it on PATH)`,
  );
  return undefined;
}

/** The mark the skip reporter looks for in the tests' output. */
export const SKIP_MARK = 'qoswatch-skip:';
