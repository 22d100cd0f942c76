import type { CompiledRule } from '../evaluate/rule-types.js';
import type { SourceKind } from '../normalize/sample.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { ZoomError } from '../zoom/errors.js';
import { buildReport } from './build.js';
import { reportCost } from './endpoints.js';
import { fetchReportData, resolveInstance, type KeptData, type SourceChoice } from './fetch.js';
import { checkBudget, growReservation, reserveFirst, type ReserveWait } from './reserve.js';
import type { Report } from './types.js';

export interface MakeReportOptions {
  kind: SourceKind;
  /** Meeting or webinar number, session id, or an instance UUID. */
  id: string;
  /** A UUID chosen from `--list`; else the latest ended instance (or the live one). */
  instance?: string;
  source: SourceChoice;
  /** The live instance rather than the latest ended one. */
  live?: boolean;
  rules: CompiledRule[];
  gapToleranceMs: number;
  /**
   * Calls of the day's budget a report must leave untouched, for live polling. A report that
   * would eat into them is refused before it sends anything.
   */
  reserve: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Pushed QSS summaries kept in state.dir (used before any call is spent), and the daemon's call gate. */
  kept?: KeptData;
  /**
   * Reserve the calls the report needs in the shared budget before spending any (a process of
   * its own: `qoswatch report`), so that reports run together either finish or are refused at
   * once. Given back by `client.budget.unreserve()`.
   */
  reserveCalls?: boolean;
  /**
   * With `reserveCalls`: how long to wait for the other reports and inspections (the sizing
   * turn, their reservations) before refusing, and who is told when it waits.
   */
  wait?: Omit<ReserveWait, 'clock' | 'signal'>;
  /**
   * A page the reserve refuses ends the reading there: the report is made of what was read,
   * marked as cut by the budget (`Report.budgetCut`), instead of failing with nothing written
   * (`qoswatch report`; the daemon's after-call report waits for a budget that allows it whole).
   */
  partial?: boolean;
}

/**
 * Holds the reserve for the whole run: before each page, a report that has already spent what
 * Zoom's participant count foretold (it can understate the joins), or that finds the budget
 * spent by the other processes sharing it, stops rather than take a call kept for live
 * polling. An error naming which of the two it was; `partial`: its message says what the
 * report made of what it read does (MakeReportOptions.partial), else that nothing was written.
 */
export function holdReserve(
  client: ZoomClient,
  reserve: number,
  made: () => number,
  what = 'report',
  need?: number,
  partial = false,
): () => void {
  // Today's calls of everyone but this run, when it started.
  const othersBefore = client.budget.usedToday() - made();
  return () => {
    if (client.budget.reservedHere() > 0) return; // the next page is reserved
    const left = client.budget.remaining();
    if (left - 1 >= reserve) return;
    const n = made();
    const others = client.budget.usedToday() - othersBefore - n;
    const causes: string[] = [];
    if (others > 0)
      causes.push(
        `other work sharing the budget (the daemon's polling, another report or inspection) made ${others} call${others === 1 ? '' : 's'} since it started`,
      );
    if (need === undefined || n >= need || causes.length === 0)
      causes.push(
        need === undefined
          ? "Zoom's participant count understated the pages to read"
          : `Zoom's participant count understated the pages to read (about ${need} foretold)`,
      );
    throw new ZoomError(
      'ZOOM_BUDGET_EXHAUSTED',
      `the ${what} stopped after ${n} API call${n === 1 ? '' : 's'}, before its next page: ${left} call${left === 1 ? ' is' : 's are'} left of today's budget and ${reserve} kept for live polling (--reserve); ${causes.join(', and ')}${partial ? '' : '. Nothing was written: try again after 00:00 UTC or lower the reserve'}`,
      { retryable: true },
    );
  };
}

/**
 * One report: resolve the instance, check the budget for what it will cost, read Zoom, apply
 * the rules. Every call goes through `client`, so through its rate limits and daily budget;
 * `calls` in the report is what it took from that budget.
 */
export async function makeReport(client: ZoomClient, o: MakeReportOptions): Promise<Report> {
  const before = client.budget.usedHere();
  // Beside the daemon, others spend the same budget: the report counts the answers it reads.
  let counted = 0;
  const count = (): void => {
    counted++;
  };
  const wait: ReserveWait = { ...o.wait, clock: o.clock, ...(o.signal ? { signal: o.signal } : {}) };
  // Before any call: at least what the chosen path costs for one join (docs/report.md's table).
  if (o.reserveCalls) await reserveFirst(client, reportCost(o.kind, 1, o.source), o.reserve, 'report', wait);
  else checkBudget(client, reportCost(o.kind, 1, o.source), o.reserve, true);
  await o.kept?.gate?.();
  const instance = await resolveInstance(client, o.kind, o.instance ?? o.id, o.signal, o.live);
  counted += instance.live && !o.live ? 2 : 1;
  const pushed = o.live ? undefined : o.kept?.pushedSummaries?.(instance);
  // With pushed summaries kept, the summary's pages are not asked for.
  const costOf = pushed?.length && o.source !== 'samples' ? 'samples' : o.source;
  const need = reportCost(o.kind, instance.participants ?? 1, costOf);
  const spent = client.budget.usedHere() - before;
  if (o.reserveCalls) await growReservation(client, need, spent, o.reserve, 'report', wait);
  else checkBudget(client, need - 1, o.reserve);
  const data = await fetchReportData(client, instance, o.source, o.signal, {
    ...o.kept,
    pushedSummaries: () => pushed,
    onCall: count,
    beforePage: holdReserve(
      client,
      o.reserve,
      () => (o.kept?.gate ? counted : client.budget.usedHere() - before),
      'report',
      need,
      o.partial,
    ),
    partialOnStop: o.partial ?? false,
  });
  return buildReport(data, o.rules, {
    gapToleranceMs: o.gapToleranceMs,
    calls: o.kept?.gate ? counted : client.budget.usedHere() - before,
    now: o.clock.now(),
  });
}
