import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/** Mounts a tmpfs of `size` (e.g. '64k') on `dir`; why not, when it cannot (not root, no mount). */
export function mountTmpfs(dir: string, size: string): { mounted: boolean; why: string } {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { mounted: true, why: '' };
  } catch (err) {
    return {
      mounted: false,
      why: ((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim(),
    };
  }
}

/** Fills the file system until it refuses another byte. */
export function fill(file: string): void {
  for (const size of [16384, 1024, 64, 1])
    for (;;)
      try {
        appendFileSync(file, Buffer.alloc(size));
      } catch {
        break;
      }
}
