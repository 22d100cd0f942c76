import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportClient } from '../../src/cli/report-client.js';
import { parseConfig } from '../../src/config/load.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { YamlSource } from '../../src/util/yaml-source.js';

/**
 * The client `qoswatch report` and `qoswatch inspect` use: a quarter of the account's
 * per-second and per-minute limits, and the rest of the limits as configured, the Heavy safety
 * margin included (it once fell back to the default 0.1 whatever the configuration said).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-report-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function clientWith(limits: string): ReturnType<typeof reportClient> {
  const yaml = `zoom:
  account_id: a
  client_id: c
  client_secret: s
  limits: ${limits}
videosdk: { api_key: k, api_secret: s, limits: ${limits} }
state: { dir: ${JSON.stringify(dir)} }
`;
  const config = parseConfig(new YamlSource('config.yaml', yaml), {});
  return reportClient(config, 'meeting', new VirtualClock(0), silentLogger());
}

describe('the report and inspect client', () => {
  it.each([
    ['{ heavy_per_second: 40, heavy_safety_margin: 0.5 }', 5, 5],
    ['{ heavy_per_second: 40 }', 9, 5],
    ['{ heavy_per_second: 40, heavy_safety_margin: 0, resource_intensive_per_minute: 8 }', 10, 2],
  ])('limits %s: %i Heavy calls a second, %i Resource-intensive a minute', (limits, heavy, ri) => {
    const { client, close } = clientWith(limits);
    try {
      expect(client.limiters.Heavy.limit).toBe(heavy);
      expect(client.limiters['Resource-intensive'].limit).toBe(ri);
      expect(client.budget.allowance).toBe(60_000);
    } finally {
      close();
    }
  });
});
