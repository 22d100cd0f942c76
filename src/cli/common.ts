import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { UsageError } from './args.js';

export function requireConfig(file: string | undefined): Config {
  if (!file) throw new UsageError('--config FILE is required');
  return loadConfig(file);
}
