import type { Config } from '../config/types.js';
import { buildRoute } from '../notify/build.js';
import { matchRoutes } from '../notify/pipeline/routing.js';
import { alertLabelNames } from '../evaluate/render-alert.js';
import { loadRules } from '../evaluate/load-rules.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import { unknownGivenLabels } from '../notify/route-check.js';
import { FileInvalidError } from '../util/file-errors.js';
import { parse, UsageError } from './args.js';
import { requireConfig } from './common.js';

export const routesHelp = `qoswatch routes --config FILE --labels k=v,... [--label k=v ...]

Prints which receivers an alert with these labels reaches, in order, one line, comma
separated (like amtool config routes test). Labels an alert carries: alertname, severity,
scope, kind, instance, participant, the shared-cause group (data_center, location, ...) and a
rule's own labels. Example:
  qoswatch routes --config config.yaml --labels alertname=meeting-audio-degraded,severity=critical
--labels splits at every comma, and may be given more than once (all are read); a value that
holds a comma goes in a --label of its own, which takes everything after its first '=' (repeat
it for more). A label given two values, in --labels or --label or across them, is refused:
  qoswatch routes --config config.yaml --labels severity=warning --label 'participant=Doe, Jane'
A label no alert of the configured rules carries (a typo: sevrity=critical) is warned about
on stderr, with the labels alerts carry.
Only the notifier sections (notifiers, route, silences, inhibit_rules) are read, and no
secret: a file without a zoom section will do, and the variables of tokens and passwords
(\${SLACK_BOT_TOKEN}) need not be set. Exit 0; 2 when the config is invalid.
`;

/** Labels read so far, and which option gave each (said when one is given another value). */
type Given = Map<string, { value: string; from: string }>;

/**
 * One `k=v` as a label: a value may contain '=' (and ',' in a --label); `where` says what the
 * option `from` takes. A name given again with another value is refused, within one option or
 * across --labels and --label (which one was meant?).
 */
function label(out: Given, part: string, from: string, where: string): void {
  const eq = part.indexOf('=');
  if (eq <= 0) throw new UsageError(`${where}; found ${JSON.stringify(part)}`);
  const [name, value] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
  const before = out.get(name);
  if (before && before.value !== value) {
    const options = before.from === from ? from : `${before.from} and ${from}`;
    throw new UsageError(
      `${options}: ${name} given twice, =${before.value} and =${value}; expected one value for each label`,
    );
  }
  out.set(name, { value, from });
}

/**
 * `k=v,k2=v2` of each --labels (repeatable: all of them, as one list) and each `k=v` of `one`
 * (--label, repeatable, a value with commas) as labels. A label given two values, in one option
 * or across them, is refused; a second --labels once replaced the first without a word, and a
 * --label once replaced a --labels' value.
 */
export function parseLabels(texts: readonly string[], one: readonly string[] = []): Record<string, string> {
  const out: Given = new Map();
  for (const text of texts)
    for (const part of text.split(','))
      if (part.trim())
        label(
          out,
          part,
          '--labels',
          "--labels takes k=v pairs separated by commas (a value with a comma: --label 'k=a,b')",
        );
  for (const part of one) label(out, part, '--label', '--label takes one k=v (the value may hold commas)');
  return Object.fromEntries([...out].map(([name, { value }]) => [name, value]));
}

/** The receivers an alert with these labels reaches, in routing order, each once. */
export function receiversFor(notify: Config['notify'], labels: Readonly<Record<string, string>>): string[] {
  return [...new Set(matchRoutes(buildRoute(notify), labels).map((r) => r.receiver))].filter(Boolean);
}

export function routes(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    labels: { type: 'string', short: 'l', multiple: true },
    label: { type: 'string', multiple: true },
  });
  if (values.labels === undefined && values.label === undefined)
    throw new UsageError('--labels k=v,... (or --label k=v) is required');
  const labels = parseLabels(values.labels ?? [], values.label);
  // Routing needs only the notifier sections and no secret: a notifications file without a
  // zoom section (docs/examples/slack-and-email.yaml) can be checked as it is, tokens unset.
  const config = requireConfig(values.config, { notifiersOnly: true, withoutSecrets: true });
  for (const w of labelWarnings(config, Object.keys(labels))) process.stderr.write(`warning: ${w}\n`);
  const receivers = receiversFor(config.notify, labels);
  process.stdout.write(`${receivers.join(',') || '(no receiver: no notifiers configured)'}\n`);
  return Promise.resolve(0);
}

/**
 * The labels asked about that no alert of the configured rules carries (as check warns of such
 * matchers in the config: app/matcher-warnings.ts); rules that cannot be read are said instead.
 */
function labelWarnings(config: Config, given: readonly string[]): string[] {
  let rules: CompiledRule[];
  try {
    rules = loadRules(config.rules.paths);
  } catch (err) {
    if (!(err instanceof FileInvalidError)) throw err;
    return [
      `the rules in ${config.rules.paths.join(', ')} cannot be read (qoswatch check says why): the labels are not checked against them`,
    ];
  }
  return unknownGivenLabels(given, alertLabelNames(rules));
}
