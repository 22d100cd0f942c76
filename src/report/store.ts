import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceKind } from '../normalize/sample.js';
import { type StateCheck, type StateFiles } from '../util/state-files.js';
import { isJsonObject } from '../util/json-object.js';
import type { Report } from './types.js';
import { codeUnitOrder } from '../util/code-unit-order.js';

/** One kept report: the report itself and what its list entry and message say. */
export interface StoredReport {
  version: 1;
  id: string;
  headline: string;
  /** Alerts the report holds (replayed on Zoom's data) plus those the daemon fired live. */
  alerts: number;
  savedAt: number;
  report: Report;
}

/** What `GET /api/v1/reports` lists of each report. */
export interface ReportListing {
  id: string;
  kind: SourceKind;
  meeting_id: string;
  uuid: string;
  topic: string;
  start: string | null;
  end: string | null;
  headline: string;
  alerts: number;
  source: string;
  calls: number;
  saved_at: string;
  url: string;
}

/** A report id: the kind and the instance UUID in base64url. Anything else is refused. */
const ID = /^(meeting|webinar|session)-[A-Za-z0-9_-]{1,400}$/;

export const reportId = (kind: SourceKind, uuid: string): string =>
  `${kind}-${Buffer.from(uuid, 'utf8').toString('base64url')}`;

/** Whether `id` is one reportId() could have made (no dots, slashes, encodings or NULs). */
export const validReportId = (id: string): boolean => ID.test(id);

export const reportsDir = (stateDir: string): string => join(stateDir, 'reports');

const checkStored: StateCheck<StoredReport> = (raw) => {
  if (!isJsonObject(raw) || raw.version !== 1 || typeof raw.id !== 'string' || !isJsonObject(raw.report))
    return { error: 'it is not a version 1 report file' };
  const r = raw.report;
  if (!isJsonObject(r.instance) || !Array.isArray(r.participants))
    return { error: 'its report has no instance' };
  return {
    value: {
      version: 1,
      id: raw.id,
      headline: typeof raw.headline === 'string' ? raw.headline : '',
      alerts: typeof raw.alerts === 'number' ? raw.alerts : 0,
      savedAt: typeof raw.savedAt === 'number' ? raw.savedAt : 0,
      report: r as unknown as Report,
    },
    discarded: [],
  };
};

const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());

/**
 * The reports made after calls, one file each in `state.dir/reports/<id>.json`, written through
 * StateFiles (atomic, fsynced), kept for `keepMs` and then deleted. Ids are validated before any
 * file name is made of them.
 */
export class ReportStore {
  readonly dir: string;

  constructor(
    stateDir: string,
    private readonly files: StateFiles,
    private readonly keepMs: number,
  ) {
    this.dir = reportsDir(stateDir);
  }

  private file(id: string): string {
    if (!validReportId(id)) throw new Error(`not a report id: ${JSON.stringify(id.slice(0, 80))}`);
    return join(this.dir, `${id}.json`);
  }

  save(stored: StoredReport): boolean {
    return this.files.write(this.file(stored.id), JSON.stringify(stored));
  }

  /** The report with this id; undefined for an unknown or invalid id. */
  get(id: string): StoredReport | undefined {
    if (!validReportId(id)) return undefined;
    return this.files.read(this.file(id), checkStored);
  }

  has(id: string): boolean {
    if (!validReportId(id)) return false;
    try {
      return statSync(this.file(id)).isFile();
    } catch {
      return false;
    }
  }

  private ids(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -5))
        .filter(validReportId);
    } catch {
      return [];
    }
  }

  /** Every kept report, newest first. */
  list(): ReportListing[] {
    const out: { listing: ReportListing; at: number }[] = [];
    for (const id of this.ids()) {
      const s = this.get(id);
      if (!s) continue;
      const i = s.report.instance;
      out.push({
        at: s.savedAt,
        listing: {
          id,
          kind: i.kind,
          meeting_id: i.id,
          uuid: i.uuid,
          topic: i.topic,
          start: iso(i.start),
          end: iso(i.end),
          headline: s.headline,
          alerts: s.alerts,
          source: s.report.source,
          calls: s.report.calls,
          saved_at: new Date(s.savedAt).toISOString(),
          url: `/reports/${id}`,
        },
      });
    }
    return out.sort((a, b) => b.at - a.at || codeUnitOrder(a.listing.id, b.listing.id)).map((x) => x.listing);
  }

  /** Deletes reports saved longer ago than the retention (by the time in the file); returns how many. */
  prune(now: number): number {
    let n = 0;
    for (const id of this.ids()) {
      const s = this.get(id);
      if (s && s.savedAt >= now - this.keepMs) continue;
      rmSync(this.file(id), { force: true });
      n++;
    }
    return n;
  }
}
