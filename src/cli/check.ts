import { parse } from './args.js';
import { requireConfig } from './common.js';

export const checkHelp = `qoswatch check --config FILE

Checks a configuration file without running anything: every problem is printed as
file:line:col: setting: what is wrong; what is expected. Exit 0 when valid, 1 when not.
`;

export function check(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  const config = requireConfig(values.config);
  const sources = Object.entries(config.sources)
    .filter(([, on]) => on)
    .map(([k]) => k)
    .join(', ');
  process.stdout.write(
    `${config.file}: valid (sources: ${sources}; metrics on ${config.metrics.host}:${config.metrics.port})\n`,
  );
  return Promise.resolve(0);
}
