import { loadRules } from '../evaluate/load-rules.js';
import { reportClient } from './report-client.js';
import { listPastInstances, type SourceChoice } from '../report/fetch.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/formats.js';
import { makeReport } from '../report/make.js';
import { pushedSummaries } from '../report/pushed.js';
import { iso } from '../report/values.js';
import { StateFiles } from '../util/state-files.js';
import { systemClock } from '../util/clock.js';
import { intOption, parse, UsageError } from './args.js';
import { commandLogger, instanceId, kindOption, requireConfig } from './common.js';
import { checkOut, writeOut } from './report-out.js';

export const reportHelp = `qoswatch report --config FILE [options] <meeting|webinar|session id or UUID>
qoswatch report --config FILE --list <meeting or webinar id>

A per-participant report of one instance that has ended (or is live): per participant and
stream, min / avg / max / p95 of latency, jitter, loss, bitrate, frame rate, resolution and
CPU; minutes over each rule of the configuration; the alerts those rules fire; the context
(device, network, data center, location, client). Worst participant first. Names and e-mail
addresses are shown: a report is for admins (docs/report.md).

Data: Zoom's QoS summary where the account has the QoS Subscription add-on, with the past
QoS samples for p95, minutes and alerts; when Zoom refuses the summary, the past samples and
the participants list alone. The report says which. A meeting id names its latest ended
instance; --list shows the others and --instance picks one. API calls are counted in the
daemon's daily budget (state.dir) and the report says how many it took.

  --kind meeting|webinar|session   what the id names (default meeting)
  --format table|md|json|csv|html  (default table)
  --out FILE                       write the report there instead of stdout
  --instance UUID                  this instance of a recurring meeting (see --list)
  --list                           list the ended instances of a meeting or webinar id
  --live                           the instance going on now rather than the latest ended one
  --source auto|summary|samples    auto (default): the summary when Zoom gives it, and the
                                   samples; summary: the summary alone (fewest calls, no p95,
                                   minutes or alerts); samples: never ask for the summary
  --reserve N                      calls of today's budget to leave for live polling
                                   (default: a tenth of qoswatch's daily share)

Exit codes: 0 the report is written; 3 it is written but cut by the budget (a page would have
taken a call kept by --reserve: the Source line says what was and was not read; in csv, a
last row of kind budget_cut, its name cell the same words); 1 a failure, nothing written; 2 a
usage or configuration error.
`;

const SOURCES = new Set<string>(['auto', 'summary', 'samples']);

/** `qoswatch report`'s exit code for a report written but cut by its budget reserve (README). */
export const EXIT_CUT_BY_BUDGET = 3;

/** The command line, checked before anything is read or asked for: usage errors (exit 2). */
function reportArgs(argv: string[]) {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      kind: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string', short: 'o' },
      instance: { type: 'string' },
      list: { type: 'boolean' },
      live: { type: 'boolean' },
      source: { type: 'string' },
      reserve: { type: 'string' },
    },
    // How many ids: said below, in its own words.
    { max: Infinity, what: 'ids' },
  );
  const format = values.format ?? 'table';
  if (!(format in REPORT_FORMATS))
    throw new UsageError(
      `--format is ${Object.keys(REPORT_FORMATS).join(', ')}, not ${JSON.stringify(format)}`,
    );
  const source = values.source ?? 'auto';
  if (!SOURCES.has(source))
    throw new UsageError(`--source is auto, summary or samples, not ${JSON.stringify(source)}`);
  if (positionals.length !== 1) throw new UsageError('give one meeting, webinar or session id (or UUID)');
  if (values.instance !== undefined) instanceId(values.instance);
  // Before any API call is spent: a report that cannot be written is not made.
  if (values.out !== undefined) checkOut(values.out);
  return {
    values,
    kind: kindOption(values.kind),
    format: format as ReportFormat,
    source: source as SourceChoice,
    id: instanceId(positionals[0]!),
  };
}

export async function report(argv: string[]): Promise<number> {
  const { values, kind, format, source, id } = reportArgs(argv);
  const config = requireConfig(values.config);
  const log = commandLogger(config);
  const { client, close } = reportClient(config, kind, systemClock, log);
  try {
    if (values.list) {
      const list = await listPastInstances(client, kind, id);
      const text = list.length
        ? list.map((i) => `${iso(i.start) || '(start unknown)'}  ${i.uuid}`).join('\n') + '\n'
        : `no ended instance of ${kind} ${id}\n`;
      process.stdout.write(text);
      return 0;
    }
    const rules = config.rules.paths.length ? loadRules(config.rules.paths) : [];
    const r = await makeReport(client, {
      kind: kind,
      id,
      ...(values.instance ? { instance: values.instance } : {}),
      source,
      live: values.live ?? false,
      rules,
      gapToleranceMs: config.rules.gapToleranceMs,
      reserve: intOption(values.reserve, 'reserve', Math.ceil(client.budget.allowance / 10)),
      clock: systemClock,
      kept: { pushedSummaries: pushedSummaries(new StateFiles(log), config.stateDir) },
      reserveCalls: true,
      partial: true,
      wait: { onWait: (m) => process.stderr.write(`qoswatch report: ${m}\n`) },
    });
    const text = REPORT_FORMATS[format](r);
    if (values.out) {
      writeOut(values.out, text);
      process.stderr.write(`report written to ${values.out} (${r.calls} API calls; ${r.sourceNote})\n`);
    } else process.stdout.write(text);
    if (!r.budgetCut) return 0;
    // The report is written, but not whole: said apart from it, and by the exit code.
    process.stderr.write(
      `qoswatch report: cut by the budget: ${r.budgetCut.reason}; the report ${values.out ? `written to ${values.out}` : 'above'} holds only what was read before (its ${format === 'csv' ? 'last row, budget_cut,' : 'Source line'} says what was and was not read)\n`,
    );
    return EXIT_CUT_BY_BUDGET;
  } finally {
    close();
  }
}
