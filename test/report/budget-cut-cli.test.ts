import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CUT_BY_BUDGET } from '../../src/cli/report.js';
import { runCli } from '../helpers/cli.js';
import { understatedMeeting } from './scenario.js';

/**
 * The built `qoswatch report` cut by its budget reserve: meeting 777 has 45 joins, and Zoom's
 * details (rewritten by a proxy) say 1, so the report foretells 3 calls (`--source samples`:
 * details, a participants page, a QoS page) and reads 7. A share of 9 calls a day, 3 kept
 * (--reserve 3): after the details, the participants page and 4 of the QoS list's 5 pages, the
 * next page would take a kept call. It ends with the report of what it read, marked, exit 3
 * (before: exit 1, nothing written).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-budget-cut-'));
const CONFIG = join(dir, 'config.yaml');
let m: Awaited<ReturnType<typeof understatedMeeting>>;

beforeAll(async () => {
  m = await understatedMeeting(95 * 60_000);
  writeFileSync(
    CONFIG,
    [
      'zoom:',
      `  api_url: ${m.url}`,
      `  oauth_url: ${m.url}/oauth/token`,
      '  account_id: any',
      '  client_id: any-id',
      '  client_secret: any-secret',
      '  daily_share: 0.00015 # 9 calls of the 60,000 a day',
      'state:',
      `  dir: ${join(dir, 'state')}`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await m.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('qoswatch report cut by its budget reserve (the built CLI, over HTTP)', () => {
  it('writes the report of what it read, says what was and was not read, and exits 3', async () => {
    const before = m.h.sim.apiRequests();
    const out = join(dir, 'r.json');
    const run = await runCli([
      'report',
      '--config',
      CONFIG,
      '--source',
      'samples',
      '--reserve',
      '3',
      '--format',
      'json',
      '--out',
      out,
      '777',
    ]);
    expect(run.code).toBe(EXIT_CUT_BY_BUDGET);
    expect(EXIT_CUT_BY_BUDGET).toBe(3);
    expect(m.h.sim.apiRequests() - before).toBe(6);
    const r = JSON.parse(readFileSync(out, 'utf8')) as {
      calls: number;
      sourceNote: string;
      participants: { key: string }[];
      budgetCut: unknown;
    };
    expect(r.calls).toBe(6);
    expect(r.budgetCut).toEqual({
      reason: expect.stringMatching(
        /^the report stopped after 6 API calls, before its next page: 3 calls are left of today's budget and 3 kept for live polling \(--reserve\); Zoom's participant count understated the pages to read/,
      ) as string,
      read: [
        { listing: 'participants list', pages: 1, whole: true },
        { listing: 'QoS list', pages: 4, whole: false },
      ],
      notRead: [],
    });
    // 4 QoS pages of 10: 40 of the 45 joins.
    expect(r.participants).toHaveLength(40);
    expect(r.sourceNote).toContain(
      'Read: the details, the participants list (1 page, whole), the QoS list (4 pages, cut there).',
    );
    expect(run.stderr).toMatch(
      /^report written to .*r\.json \(6 API calls; .*Cut by the budget: .*\)\nqoswatch report: cut by the budget: the report stopped after 6 API calls, .*; the report written to .*r\.json holds only what was read before/,
    );
    expect(run.stderr).not.toContain('Nothing was written');
  });

  it('marks a CSV report cut by the budget in the file: a last budget_cut row, its name the cut in words', async () => {
    // A state of its own: the run above used this day's budget of the first.
    const config = join(dir, 'config-csv.yaml');
    writeFileSync(config, readFileSync(CONFIG, 'utf8').replace(join(dir, 'state'), join(dir, 'state-csv')));
    const out = join(dir, 'r.csv');
    const run = await runCli([
      ...['report', '--config', config, '--source', 'samples', '--reserve', '3'],
      ...['--format', 'csv', '--out', out, '777'],
    ]);
    expect(run.code).toBe(EXIT_CUT_BY_BUDGET);
    const lines = readFileSync(out, 'utf8').split('\r\n');
    expect(lines.pop()).toBe('');
    const [header, ...rows] = lines;
    const columns = header!.split(',');
    expect(columns[0]).toBe('row'); // the columns as before: none added
    expect(rows.filter((l) => l.startsWith('budget_cut,'))).toHaveLength(1);
    const last = rows.at(-1)!;
    // The same number of cells as the header: a CSV reader takes it as any other row.
    const cells = /^budget_cut,,"([^"]*)"((?:,)*)$/.exec(last);
    expect(cells, last).not.toBeNull();
    expect(cells![2]!.length).toBe(columns.length - 3);
    expect(cells![1]).toMatch(
      /^Cut by the budget: the report stopped after 6 API calls, .*Read: the details, the participants list \(1 page, whole\), the QoS list \(4 pages, cut there\)\. Participants and figures past the cut are missing here/,
    );
    expect(rows.slice(0, -1).every((l) => /^(figures|breach|alert),/.test(l))).toBe(true);
    expect(run.stderr).toContain(
      'holds only what was read before (its last row, budget_cut, says what was and was not read)',
    );
  });
});
