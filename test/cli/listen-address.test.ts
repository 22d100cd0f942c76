import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenProblem } from '../../src/export/http-server.js';
import { runCli } from '../helpers/cli.js';

/**
 * An IPv6 listen address is shown as the user wrote it and as a URL takes it, in brackets
 * (`[::1]:9781`), wherever qoswatch shows one: `::1:9781` reads as an IPv6 address of its own
 * (hT45 L2). Nothing listens here: `check` reads the config, `listenProblem` words an error.
 */
describe('an IPv6 listen address, shown', () => {
  it('check says metrics on [::1]:9781, and the webhooks warning [::]:9782', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-listen6-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      'zoom: { account_id: a, client_id: c, client_secret: s }\n' +
        'metrics: { listen: "[::1]:9781" }\n' +
        'webhooks:\n  listen: "[::]:9782"\n  apps:\n    - { name: qss, path: /zoom/qss, secret_token: abcdefghijklmnopqrstuv }\n',
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}: valid (sources: meetings, webinars; metrics on [::1]:9781);`);
    expect(r.stderr).toContain(`[::]:9782: Zoom's requests`);
    expect(r.stdout + r.stderr).not.toMatch(/[^[]::1?:97/);
  });

  it('a metrics.listen that cannot be opened names [::1]:9781', () => {
    const err = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen' });
    expect(listenProblem(err, { host: '::1', port: 9781 })).toBe(
      'metrics.listen [::1]:9781 is in use by another program (EADDRINUSE); expected a free port',
    );
    expect(listenProblem(err, { host: '127.0.0.1', port: 9781 })).toContain('metrics.listen 127.0.0.1:9781 ');
  });
});
