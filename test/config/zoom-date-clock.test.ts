import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configErrorOf } from '../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-date-clock-'));
const write = (name: string, extra: string): string => {
  writeFileSync(join(dir, name), `zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n${extra}`);
  return join(dir, name);
};

describe('zoom.date_clock', () => {
  it('is local by default, zoom when written, the Video SDK account following it', () => {
    expect(loadConfig(write('default.yaml', ''), {}).zoom?.dateClock).toBe('local');
    const c = loadConfig(
      write(
        'zoom.yaml',
        '  date_clock: zoom\nsources: { sessions: true }\nvideosdk: { api_key: k, api_secret: s }\n',
      ),
      {},
    );
    expect(c.zoom?.dateClock).toBe('zoom');
    expect(c.videosdk?.dateClock).toBe('zoom');
  });

  it('stops start-up with file:line:col on a value that is neither local nor zoom', () => {
    const file = write('bad.yaml', '  date_clock: simulator\n');
    expect(configErrorOf(file)).toContain(
      `${file}:5:15: zoom.date_clock: found "simulator"; expected one of "local", "zoom"`,
    );
  });
});
