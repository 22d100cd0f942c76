import { existsSync } from 'node:fs';

/**
 * Debian binaries some integration tests start (installed by .ci/run). On CI a missing one is
 * an error; on a machine with only Node and npm those tests are skipped, saying why.
 */
export function debianBinary(path: string): string | undefined {
  if (existsSync(path)) return path;
  if (process.env.CI) throw new Error(`${path} is missing: .ci/run installs it with apt-get`);
  console.warn(`skipping tests that need ${path} (apt-get install the Debian package to run them)`);
  return undefined;
}
