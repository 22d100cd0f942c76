import { loadRules } from '../evaluate/load-rules.js';
import { parse } from './args.js';
import { requireConfig } from './common.js';

export const checkHelp = `qoswatch check --config FILE

Checks a configuration file and the rule files it names, without running anything: every
problem is printed as
file:line:col: setting: what is wrong; what is expected. Exit 0 when valid, 1 when not.
`;

export function check(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  const config = requireConfig(values.config);
  const rules = loadRules(config.rules.paths);
  const sources = Object.entries(config.sources)
    .filter(([, on]) => on)
    .map(([k]) => k)
    .join(', ');
  process.stdout.write(
    `${config.file}: valid (sources: ${sources}; metrics on ${config.metrics.host}:${config.metrics.port}); ` +
      `${rules.length} rules valid in ${config.rules.paths.join(', ')}\n`,
  );
  return Promise.resolve(0);
}
