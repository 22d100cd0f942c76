import { beforeAll, describe, expect, it } from 'vitest';
import { runRewritten, type Run } from '../helpers/qos-rewrite-run.js';

/**
 * What Zoom writes as "471 ms", "12.5%" and "27.15 kbps" reaches the alerts (/api/v1/alerts and
 * every notifier show an alert's `value`) and /metrics as the decimal it is (outside tester hT43,
 * LOW): before, /api/v1/alerts said `"value": 0.47100000000000003` (471 * 1e-3). The simulator's
 * QoS answers rewritten to those texts, through the daemon's own loop.
 */
let run: Run;

beforeAll(async () => {
  run = await runRewritten(
    'meetings',
    1,
    5,
    (text) =>
      text
        .replace(/"latency":"[^"]*"/g, '"latency":"471 ms"')
        .replace(/"avg_loss":"[^"]*"/g, '"avg_loss":"12.5%"')
        .replace(/"bitrate":"[^"]*"/g, '"bitrate":"27.15 kbps"'),
    'exact-values',
  );
}, 60_000);

/** A double printed with float noise: a run of 0s or 9s before its last digit. */
const NOISE = /\d\.\d*(?:0{6,}|9{6,})\d(?:e[+-]?\d+)?\b/;

describe("Zoom's values in alerts and /metrics", () => {
  it('are the decimals Zoom wrote, scaled, with no float noise', () => {
    expect(run.rewritten).toBeGreaterThan(3);
    const firing = run.changes.filter((c) => c.state === 'firing');
    const latency = firing.find((c) => c.alert.rule === 'audio-latency-high');
    expect(latency?.alert.value).toBe(0.471);
    expect(JSON.stringify(latency)).toContain('"value":0.471,');
    expect(JSON.stringify(run.changes)).not.toMatch(NOISE);
    const lines = run.metrics.split('\n').filter((l) => !l.startsWith('#'));
    expect(lines.filter((l) => NOISE.test(l))).toEqual([]);
    expect(lines.some((l) => /^qoswatch_\w*latency\w*\{.*\} 0\.471$/.test(l))).toBe(true);
  });
});
