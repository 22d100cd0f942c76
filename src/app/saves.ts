import type { Logger } from 'pino';
import type { StateFiles } from '../util/state-files.js';

/** One thing a shutdown saves: what it is (for the log), how, and the state files it writes. */
export interface Save {
  what: string;
  run: () => unknown;
  files: readonly string[];
}

/**
 * Runs each save in turn. One that throws, or leaves one of its files unwritten, is logged as
 * not saved and does not stop the rest. `pending` holds what is not saved yet and shrinks as
 * each one is (a shutdown cut short says what is left). Returns what was not saved.
 */
export async function saveInTurn(
  saves: readonly Save[],
  files: StateFiles,
  log: Logger,
  pending: string[],
): Promise<string[]> {
  const unsaved: string[] = [];
  for (const { what, run, files: written } of saves) {
    try {
      await run();
      // A failed write does not throw (StateFiles keeps it and retries); at stop it is not saved.
      const failed = written.filter((f) => files.unsavedFiles.includes(f));
      if (failed.length) throw new Error(`cannot write ${failed.join(', ')}`);
      pending.splice(pending.indexOf(what), 1);
    } catch (err) {
      unsaved.push(what);
      log.error({ err: (err as Error).message }, `not saved: ${what}`);
    }
  }
  return unsaved;
}
