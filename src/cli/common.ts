import { loadConfig, type LoadOptions } from '../config/load.js';
import type { Config } from '../config/types.js';
import { UsageError } from './args.js';

export function requireConfig(file: string | undefined, options: LoadOptions = {}): Config {
  if (!file) throw new UsageError('--config FILE is required');
  return loadConfig(file, process.env, options);
}
