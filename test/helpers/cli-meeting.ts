import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ZoomSimulator } from '../../src/simulator/server.js';
import { startRealTimeSim } from './sim.js';

/** What a test file of `qoswatch` commands run as processes over one live meeting works with. */
export interface CliMeeting {
  /** The file's temporary folder: config files and their state dirs (`state-<config name>`). */
  readonly dir: string;
  /** The simulator's base URL (once the file's tests have begun). */
  readonly url: string;
  /**
   * A config file `name` in `dir` over the simulator, its client secret from `${SECRET}`
   * (`csecret` is right), webinars off, metrics on a free port, its own state dir, JSON logs, and
   * `extra` YAML after.
   */
  readonly config: (name: string, extra?: string) => string;
}

/**
 * A real simulator on real time with one live meeting ("CLI meeting", 84000000001, uuid `cli==`:
 * Ann, user_id 1, and Bo, user_id 2, data center NY), started before the calling file's tests and
 * closed after them, and config files over it: what test/cli/commands, state-dir-lock and reload
 * share.
 */
export function cliMeeting(): CliMeeting {
  const dir = mkdtempSync(join(tmpdir(), 'qw-cli-'));
  let sim: ZoomSimulator | undefined;
  beforeAll(async () => {
    sim = await startRealTimeSim({
      credentials: { account_id: 'acct', client_id: 'cid', client_secret: 'csecret' },
      meetings: [
        {
          id: 84000000001,
          uuid: 'cli==',
          topic: 'CLI meeting',
          participants: [
            { user_id: '1', name: 'Ann' },
            { user_id: '2', name: 'Bo', data_center: 'NY' },
          ],
        },
      ],
    });
  });
  afterAll(async () => sim?.close());
  const url = (): string => {
    if (!sim) throw new Error('the simulator starts in beforeAll: ask for its url inside a test');
    return sim.url;
  };
  return {
    dir,
    get url() {
      return url();
    },
    config: (name, extra = '') => {
      const file = join(dir, name);
      writeFileSync(
        file,
        `zoom:\n  api_url: ${url()}\n  oauth_url: ${url()}/oauth/token\n  account_id: acct\n  client_id: cid\n  client_secret: \${SECRET}\n` +
          `sources:\n  webinars: false\nmetrics:\n  listen: 127.0.0.1:0\nstate:\n  dir: ${join(dir, 'state-' + name)}\nlog:\n  format: json\n${extra}`,
      );
      return file;
    },
  };
}
