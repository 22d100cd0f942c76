import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { FileInvalidError } from '../../src/util/file-errors.js';

/** The message a rejected config file gives; the test fails if the file is accepted. */
export function configErrorOf(file: string, env: Record<string, string> = {}): string {
  try {
    loadConfig(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(FileInvalidError);
    return (err as Error).message;
  }
  throw new Error('expected the config to be rejected');
}
