import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type YAMLSeq } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { startDaemonOverSim, type DaemonOverSim } from '../helpers/daemon-over-sim.js';
import { runUntil } from '../helpers/daemon.js';
import { fromRoot } from '../../src/util/package-root.js';
import { T0 } from '../helpers/sim.js';

/**
 * A rule reload that removes a rule while one of its alerts fires (outside tester of issue 15:
 * the alert stayed firing, nothing ever resolved it, and the next restart resolved it as
 * `recovered` with its firing text while the participant still breached). The alert now
 * resolves at the reload with reason `rule_removed`, once, in the group it fired in, and a
 * restart neither repeats nor resolves it again.
 *
 * One meeting (minutes 0–60), one participant losing 9% of audio throughout; the default rules.
 * qoswatch runs from minute 5; at minute 15 the rules file loses `audio-loss-high` and is reloaded.
 */
const SCENARIO: RawScenario = {
  qos_window: '30m',
  meetings: [
    {
      id: 86500000002,
      uuid: 'removed-1==',
      topic: 'Removal check',
      start: '0m',
      end: '60m',
      participants: [{ key: 'ann', user_id: '7002', name: 'Ann', data_center: 'SC' }],
    },
  ],
  episodes: [
    { name: 'loss', where: { data_center: 'SC' }, from: '0m', to: '60m', audio: { avg_loss: '9%' } },
  ],
};

const MIN = 60_000;

interface Sent {
  rule: string;
  status: string;
  reason: string | null;
  labels: Record<string, string>;
  annotations: { summary?: string };
}
interface Page {
  status: string;
  alerts: Sent[];
}

/** The default rules without `name`. */
function rulesWithout(name: string): string {
  const doc = parseDocument(readFileSync(fromRoot('rules', 'default.yaml'), 'utf8'));
  const rules = doc.get('rules') as YAMLSeq;
  const at = rules.items.findIndex((r) => (r as { get: (k: string) => unknown }).get('name') === name);
  expect(at).toBeGreaterThanOrEqual(0);
  rules.delete(at);
  return doc.toString();
}

/** The daemon over the simulator, its rules a copy of the default rules in a file of its own. */
async function overSimWithRulesFile(): Promise<{ h: DaemonOverSim; rulesFile: string }> {
  const h = await startDaemonOverSim(SCENARIO, {
    at: 5 * MIN,
    route: { receiver: 'hook', group_by: ['alertname'], group_wait: '0s', group_interval: '1m' },
  });
  const rulesFile = join(mkdtempSync(join(tmpdir(), 'qw-rule-removed-')), 'rules.yaml');
  writeFileSync(rulesFile, readFileSync(fromRoot('rules', 'default.yaml'), 'utf8'));
  h.config.rules.paths = [rulesFile];
  return { h, rulesFile };
}

let pages: Page[];
let afterRestart: Page[];
let reloaded: boolean | undefined;
beforeAll(async () => {
  const { h, rulesFile } = await overSimWithRulesFile();
  try {
    const daemon: Daemon = await h.daemon();
    await runUntil(daemon, h, T0 + 15 * MIN);
    writeFileSync(rulesFile, rulesWithout('audio-loss-high'));
    reloaded = daemon.reloadRules();
    await runUntil(daemon, h, T0 + 25 * MIN);
    await daemon.close();
    pages = h.pages<Page>();
    h.hook.received.length = 0;
    // A restart on the same state, the rule still gone, the participant still losing audio.
    const again = await h.daemon();
    await runUntil(again, h, T0 + 35 * MIN);
    await again.close();
    afterRestart = h.pages<Page>();
  } finally {
    await h.close();
  }
}, 120_000);

const of = (ps: Page[], status: string): Sent[] =>
  ps.flatMap((p) => p.alerts).filter((a) => a.rule === 'audio-loss-high' && a.status === status);

describe('a reload that removes a rule with a firing alert', () => {
  it('fired before the reload', () => {
    expect(reloaded).toBe(true);
    expect(of(pages, 'firing').length).toBeGreaterThan(0);
  });

  it('resolves it once, at the reload, with reason rule_removed, in the group it fired in (nothing on the old code)', () => {
    const resolves = of(pages, 'resolved');
    expect(resolves).toHaveLength(1);
    const r = resolves[0]!;
    expect(r.reason).toBe('rule_removed');
    expect(r.labels).toEqual(of(pages, 'firing')[0]!.labels);
    expect(r.annotations.summary).toMatch(
      /^The rule audio-loss-high was removed; audio loss was above 5\.0% for \d+ min, worst [\d.]+%$/,
    );
  });

  it('neither repeats nor resolves it again after a restart', () => {
    expect(of(afterRestart, 'resolved')).toEqual([]);
    expect(of(afterRestart, 'firing')).toEqual([]);
  });
});

describe('a rule removed while qoswatch is down, with a firing alert', () => {
  let before: Page[];
  let after: Page[];
  beforeAll(async () => {
    const { h, rulesFile } = await overSimWithRulesFile();
    try {
      const first = await h.daemon();
      await runUntil(first, h, T0 + 15 * MIN);
      await first.close();
      before = h.pages<Page>();
      h.hook.received.length = 0;
      writeFileSync(rulesFile, rulesWithout('audio-loss-high'));
      const again = await h.daemon();
      await runUntil(again, h, T0 + 20 * MIN);
      await again.close();
      after = h.pages<Page>();
    } finally {
      await h.close();
    }
  }, 120_000);

  it('resolves it once at the restart with reason rule_removed ("recovered" on the old code)', () => {
    expect(of(before, 'firing').length).toBeGreaterThan(0);
    const resolves = of(after, 'resolved');
    expect(resolves.map((r) => r.reason)).toEqual(['rule_removed']);
    // Not the firing text alone (outside tester): the rule that would render a resolve is gone.
    expect(resolves[0]!.annotations.summary).toMatch(
      /^The rule audio-loss-high was removed \(it had fired: Ann's audio loss is [\d.]+% in "Removal check" /,
    );
    expect(resolves[0]!.labels).toEqual(of(before, 'firing')[0]!.labels);
  });
});
