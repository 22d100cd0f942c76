import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Fails with a one-line reason when the state directory cannot be created or written. */
export function checkStateDir(dir: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `state.dir ${dir} is not a writable directory (${code}); expected one qoswatch can write`,
      {
        cause: err,
      },
    );
  }
}
