import { formatProblem } from '../util/file-errors.js';
import { loadRules } from '../evaluate/load-rules.js';
import { listReport } from '../app/list-demand.js';
import { matcherProblems } from '../app/matcher-warnings.js';
import { noRulesWarning } from '../app/no-rules.js';
import { checkModules } from '../notify/build.js';
import { continueWarnings } from '../notify/route-check.js';
import { settingWarnings } from '../config/setting-warnings.js';
import { hostPort } from '../util/host-port.js';
import { plural } from '../util/words.js';
import { parse } from './args.js';
import { requireConfig } from './common.js';

export const checkHelp = `qoswatch check --config FILE

Checks a configuration file and the rule files it names, without running anything: every
problem is printed as
file:line:col: setting: what is wrong; what is expected. Exit 0 when valid, 2 when not.
Notifier modules (type: module) are loaded, as run loads them, and their options checked
against their schema; nothing is sent.
It also says which rule makes qoswatch read Zoom's participants list (a field only the list
gives, such as role or audio_quality, at the rule's file:line:col) and what that costs in the
API budget, or that the list is not read for such fields.
Warnings (valid, but probably not what was meant, such as no rule at all, a route with continue: true that
no later sibling route follows, a silence whose every matcher also matches an alert without
its label, team: '!ops', a webhook secret token shorter than Zoom's 22 characters, webhooks.listen
on every interface without TLS, a matcher of a silence, route or inhibit rule (or a route's group_by,
an inhibit rule's equal) on a label no alert carries, a silence, route or inhibit rule on an
alertname no rule has, or a silence whose ends is past) go to stderr as "warning: file:line:col: ..." and keep exit 0.
`;

export async function check(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  const config = requireConfig(values.config);
  const rules = loadRules(config.rules.paths);
  // Notifier modules are loaded and their options checked, as run does; nothing is sent.
  await checkModules(config.notify.notifiers);
  const sources = Object.entries(config.sources)
    .filter(([, on]) => on)
    .map(([k]) => k)
    .join(', ');
  process.stdout.write(
    `${config.file}: valid (sources: ${sources}; metrics on ${hostPort(config.metrics.host, config.metrics.port)}); ` +
      `${plural(rules.length, 'rule')} valid in ${config.rules.paths.join(', ')}\n`,
  );
  const none = noRulesWarning(rules, config);
  if (none) process.stderr.write(`warning: ${none}\n`);
  const list = listReport(rules, config);
  process.stdout.write(list.lines.map((l) => `${l}\n`).join(''));
  for (const w of list.warnings) process.stderr.write(`warning: ${w}\n`);
  const warnings = [
    ...settingWarnings(config),
    ...continueWarnings(config.notify.route).map((w) => config.source.problemAt(w.path, w.message, true)),
    ...matcherProblems(config, rules, Date.now()),
  ];
  for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
  return 0;
}
