import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The most symbolic links in a row the system follows (Linux's MAXSYMLINKS: 40; macOS's: 32),
 * found as the system finds it: a chain of `probe` links to a folder, stat from each link in turn.
 * Past it the system says ELOOP although no link loops.
 */
export function linksFollowed(probe = 100): number {
  const dir = mkdtempSync(join(tmpdir(), 'qw-links-followed-'));
  try {
    const first = linkChain(dir, 'p', probe);
    for (let n = probe; n > 0; n--)
      try {
        statSync(join(dir, `p${probe - n}`));
        return n;
      } catch {
        // more links than followed: the next one along is one fewer
      }
    throw new Error(`no link of ${first}'s chain could be followed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `n` links in a row in `dir`, none a loop: `${name}0` -> `${name}1` -> ... -> `${name}${n}`, a
 * folder. Gives the first link; `${name}${k}` leads through n - k links.
 */
export function linkChain(dir: string, name: string, n: number): string {
  for (let i = 0; i < n; i++) symlinkSync(join(dir, `${name}${i + 1}`), join(dir, `${name}${i}`));
  mkdirSync(join(dir, `${name}${n}`));
  return join(dir, `${name}0`);
}
