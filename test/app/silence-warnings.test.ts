import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { VirtualClock } from '../../src/util/clock.js';
import { captureLog } from '../helpers/log.js';

const RULE = (labels: string): string =>
  `rules:\n  - { name: slow, metric: latency, streams: [audio_input], when: above, threshold: 300ms${labels} }\n`;

describe('the daemon on silences that hold back nothing (outside tester: nothing was said)', () => {
  it('warns at start-up, and again at a rule reload, with the labels of the rules it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-silence-warn-'));
    const rules = join(dir, 'slow.yaml');
    writeFileSync(rules, RULE(', labels: { team: noc }'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `zoom: { account_id: a, client_id: c, client_secret: s }
rules: { paths: [${rules}] }
state: { dir: ${join(dir, 'state')} }
notifiers:
  - { name: log, type: console }
silences:
  - matchers: { alertname: slow, team: noc }
  - matchers: { alertname: slow, taem: noc }
  - matchers: { alertname: slow }
    ends: 2026-03-01T00:00:00Z
`,
    );
    const { log, lines } = captureLog();
    const daemon = new Daemon(loadConfig(file, {}), {
      clock: new VirtualClock(Date.parse('2026-03-02T12:00:00Z')),
      log,
    });
    try {
      const warned = (): string[] => lines.filter((l) => l.level === 40).map((l) => l.msg);
      const labels = 'alertname, severity, scope, kind, instance, instance_uuid, participant';
      // The old code logged none of these.
      expect(warned()).toEqual([
        `${file}:8:34: silences[1].matchers.taem: no alert carries the label "taem" (did you mean "team"?), so this silence holds back nothing; expected a label alerts carry: ${labels}, team`,
        `${file}:10:5: silences[2].ends: this silence ended at 2026-03-01T00:00:00.000Z, before now (2026-03-02T12:00:00.000Z): it holds back nothing any more; expected an end still to come, or remove the silence`,
      ]);
      // The rule loses its team label: the first silence now names a label no alert carries.
      writeFileSync(rules, RULE(''));
      lines.length = 0;
      expect(daemon.reloadRules()).toBe(true);
      expect(warned()).toEqual([
        `${file}:7:34: silences[0].matchers.team: no alert carries the label "team", so this silence holds back nothing; expected a label alerts carry: ${labels}`,
        `${file}:8:34: silences[1].matchers.taem: no alert carries the label "taem", so this silence holds back nothing; expected a label alerts carry: ${labels}`,
        expect.stringContaining(`${file}:10:5: silences[2].ends: this silence ended`),
      ]);
    } finally {
      await daemon.closeWithoutSaving();
    }
  });
});
