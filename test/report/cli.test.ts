import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';
import { T0 } from '../helpers/sim.js';

/**
 * The example of docs/report.md, run: the built `qoswatch report` with docs/report/config.yaml
 * against the simulator serving docs/report/weekly-sync.yaml once both instances have ended.
 * The Markdown it prints is docs/report/weekly-sync.report.md (but for the "Generated" time);
 * QW_WRITE_DOC_EXAMPLES=1 rewrites that file instead of comparing.
 */
const CONFIG = fromRoot('docs', 'report', 'config.yaml');
const EXPECTED = fromRoot('docs', 'report', 'weekly-sync.report.md');
const dir = mkdtempSync(join(tmpdir(), 'qw-report-cli-'));
let sim: ZoomSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  const scenario = loadScenario(fromRoot('docs', 'report', 'weekly-sync.yaml'), T0);
  sim = new ZoomSimulator(scenario, new VirtualClock(T0 + 95 * 60_000));
  env = { ZOOM_API_URL: await sim.listen(), QOSWATCH_STATE_DIR: join(dir, 'state') };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const generated = (text: string): string =>
  text.replace(/^- \*\*Generated:\*\* .*$/m, '- **Generated:** (time)');

describe('qoswatch report (the built CLI, as docs/report.md shows it)', () => {
  it('docs/report.md includes its example files verbatim', () => {
    const doc = readFileSync(fromRoot('docs', 'report.md'), 'utf8');
    const included = [...doc.matchAll(/<!-- file: (docs\/report\/[\w.-]+) -->\n\n```\w+\n([\s\S]*?)```\n/g)];
    expect(included.map((m) => m[1])).toEqual([
      'docs/report/weekly-sync.yaml',
      'docs/report/config.yaml',
      'docs/report/weekly-sync.report.md',
    ]);
    for (const m of included) expect(m[2], m[1]).toBe(readFileSync(fromRoot(m[1]!), 'utf8'));
  });

  it('prints the documented Markdown report, and counts its calls in the budget file', async () => {
    const run = await runCli(['report', '--config', CONFIG, '--format', 'md', '777'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    if (process.env.QW_WRITE_DOC_EXAMPLES) writeFileSync(EXPECTED, generated(run.stdout));
    expect(existsSync(EXPECTED)).toBe(true);
    expect(generated(run.stdout)).toBe(readFileSync(EXPECTED, 'utf8'));
    const budget = JSON.parse(readFileSync(join(dir, 'state', 'budget-zoom.json'), 'utf8')) as {
      used: number;
    };
    expect(budget.used).toBe(4);
    expect(run.stdout).toContain('- **API calls:** 4');
  });

  it('lists the past instances, and writes a chosen one as CSV to a file', async () => {
    const list = await runCli(['report', '--config', CONFIG, '--list', '777'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('2026-11-20T10:00:00Z  first+inst==\n2026-11-20T11:00:00Z  /second//inst==\n');
    const out = join(dir, 'first.csv');
    const csv = await runCli(
      ['report', '--config', CONFIG, '--format', 'csv', '--out', out, '--instance', 'first+inst==', '777'],
      env,
    );
    expect(csv.code).toBe(0);
    expect(csv.stderr).toMatch(
      /report written to .*first\.csv \(4 API calls; min\/avg\/max from Zoom's QoS summary/,
    );
    const names = new Set(
      readFileSync(out, 'utf8')
        .split('\r\n')
        .slice(1, -1)
        .map((l) => l.split(',')[2]),
    );
    expect([...names].sort()).toEqual(['Ann', 'Bob']);
  });

  it("writes the documented HTML page to a file: Cy's charts, the threshold and the alert period", async () => {
    const out = join(dir, 'weekly-sync.html');
    const run = await runCli(['report', '--config', CONFIG, '--format', 'html', '--out', out, '777'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/report written to .*weekly-sync\.html \(4 API calls; /);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<h2 id="p1-h">1. Cy <span class="muted">(16781312)</span></h2>');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(12);
    const latency = /<svg class="chart"[^>]*data-metric="latency">(.*?)<\/svg>/.exec(html)![1]!;
    expect(latency).toContain('<g class="threshold" data-value="0.3">');
    expect(latency.match(/class="pt over"/g)).toHaveLength(10);
    expect(latency).toContain('alert: audio-latency-high');
  });

  it('says what is wrong with an unknown id or option, with the exit codes of the README', async () => {
    const missing = await runCli(['report', '--config', CONFIG, '999'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no meeting "999": Zoom has neither an ended nor a live one/);
    const usage = await runCli(['report', '--config', CONFIG, '--format', 'pdf', '777'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--format is table, md, json, csv/);
  });

  it('says a usage error as one (exit 2), a bad --out path in words before any call, a live miss without endpoint names', async () => {
    const before = sim.apiRequests();
    // Before: exit 1, from the Zoom client's own check.
    const firstLine = async (args: string[]): Promise<[number | null, string]> => {
      const run = await runCli(['report', '--config', CONFIG, ...args], env);
      return [run.code, run.stderr.split('\n')[0]!.replace(/; see `qoswatch report --help`$/, '')];
    };
    const id = 'is not a valid meeting, webinar or session id';
    expect(await firstLine([''])).toEqual([2, `qoswatch report: "" ${id}`]);
    expect(await firstLine(['--instance', '..', '777'])).toEqual([2, `qoswatch report: ".." ${id}`]);
    // Before: "ENOENT: no such file or directory, open '...'" and "EISDIR: illegal operation on a
    // directory, open", exit 1, after the report's API calls.
    const nowhere = join(dir, 'no-such-folder', 'r.md');
    const expected = 'expected a file to write in an existing folder';
    expect(await firstLine(['--out', nowhere, '777'])).toEqual([
      2,
      `qoswatch report: --out ${JSON.stringify(nowhere)}: its folder does not exist; ${expected}`,
    ]);
    expect(await firstLine(['--out', dir, '777'])).toEqual([
      2,
      `qoswatch report: --out ${JSON.stringify(dir)}: it is a folder; ${expected}`,
    ]);
    expect(sim.apiRequests()).toBe(before);
    // Both instances of 777 have ended. Before: "meeting_details: not found or no longer live (777)".
    const live = await runCli(['report', '--config', CONFIG, '--live', '777'], env);
    expect(live).toMatchObject({
      code: 1,
      stderr:
        'qoswatch report: meeting 777: not found or no longer live (without --live, a report is of the latest ended instance)\n',
    });
  });
});
