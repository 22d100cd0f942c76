import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import addFormats from 'ajv-formats';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { editorSchema } from '../../src/config/editor-schema.js';
import { FileInvalidError } from '../../src/util/file-errors.js';
import { loadConfig } from '../../src/config/load.js';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';

const ZOOM_ENV = { ZOOM_ACCOUNT_ID: 'acct', ZOOM_CLIENT_ID: 'cid', ZOOM_CLIENT_SECRET: 'secret' };
const example = fromRoot('config.example.yaml');

describe('config.example.yaml, copied where an operator puts it', () => {
  it('passes qoswatch check from an empty folder, with the shipped rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-etc-'));
    const copy = join(dir, 'config.yaml');
    copyFileSync(example, copy);
    const r = await runCli(['check', '--config', copy], ZOOM_ENV);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${copy}: valid`);
    expect(r.stdout).toContain(`rules valid in ${fromRoot('rules')}`);
  });

  it('keeps resolving a relative rules path beside the config, and names the setting when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-etc-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      readFileSync(example, 'utf8').replace('# paths: [./my-rules]', 'paths: [./my-rules]'),
    );
    return runCli(['check', '--config', file], ZOOM_ENV).then((r) => {
      expect(r.code).toBe(2);
      const line =
        readFileSync(file, 'utf8')
          .split('\n')
          .findIndex((l) => l.includes('paths: [./my-rules]')) + 1;
      expect(r.stderr).toBe(
        `${file}:${line}:11: rules.paths[0]: ${join(dir, 'my-rules')} not found (relative paths start beside the config file); ` +
          'expected a rule file or a folder of them, or leave rules.paths out for the shipped rules\n',
      );
      mkdirSync(join(dir, 'my-rules'));
      expect(loadConfig(file, ZOOM_ENV).rules.paths).toEqual([join(dir, 'my-rules')]);
    });
  });

  it('is valid, unexpanded, against the schema editors read (env references where numbers and URLs go)', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    ajv.addKeyword('errorMessage');
    const validate = ajv.compile(editorSchema() as object);
    const raw = parse(readFileSync(example, 'utf8')) as object;
    expect(validate(raw), JSON.stringify(validate.errors)).toBe(true);
    const typed = { ...raw, metrics: { listen: '0.0.0.0:9781', participant_series: '${PS:-false}' } };
    expect(validate(typed), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...raw, metrics: { participant_series: 'yes' } })).toBe(false);
  });

  it('shows every setting with its default (src/config/defaults.ts), as its header says', () => {
    const text = readFileSync(example, 'utf8');
    // The commented-out videosdk section too: it is shown as it would be written.
    const videosdk = /^# videosdk:\n((?:# {3}.*\n)+)/m.exec(text)![1]!.replace(/^# {3}/gm, '');
    const shown: [string, unknown, unknown][] = [];
    const walk = (v: unknown, d: unknown, path: string): void => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v)) walk(x, (d as Record<string, unknown>)?.[k], `${path}.${k}`);
        return;
      }
      if (d === undefined) return; // a setting with no default (credentials, paths)
      // `${VAR:-default}` shows its default; a folder may be written ./state or state.
      const env = typeof v === 'string' ? /^\$\{\w+:-(.*)\}$/.exec(v)?.[1] : undefined;
      const value = env ?? v;
      shown.push([path, typeof value === 'string' && path.endsWith('.dir') ? normalize(value) : value, d]);
    };
    walk(parse(text), DEFAULTS, '');
    walk(parse(videosdk), DEFAULTS.videosdk, '.videosdk');
    expect(shown.length).toBeGreaterThan(20);
    // Fails on the old file: zoom.daily_share and videosdk.daily_share were 0.5, the default 1.
    for (const [path, value, d] of shown) expect([path, value]).toEqual([path, d]);
  });

  it('names a $schema that the npm package ships', () => {
    const first = readFileSync(example, 'utf8').split('\n')[0]!;
    const m = /\$schema=https:\/\/unpkg\.com\/qoswatch@\d+\/(\S+)$/.exec(first);
    expect(m, first).not.toBeNull();
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { files: string[] };
    expect(m![1]).toBe('dist/schema/config.schema.json');
    expect(pkg.files).toContain('dist/schema');
    expect(() => JSON.parse(readFileSync(fromRoot(m![1]!), 'utf8')) as unknown).not.toThrow();
  });
});

describe('typed environment values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qw-env-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'zoom: { account_id: a, client_id: c, client_secret: "${SECRET}", daily_share: "${SHARE:-0.25}" }',
      'poll: { concurrency: "${CONCURRENCY:-4}", shutdown_timeout: "${STOP:-3s}" }',
      'metrics: { participant_series: "${PER_PARTICIPANT:-false}" }',
      'notifiers:',
      '  - { name: mail, type: email, host: 127.0.0.1, port: "${SMTP_PORT:-2525}", security: none, from: q@example.com, to: [o@example.com] }',
      '',
    ].join('\n'),
  );

  it('reads numbers, integers and booleans where the schema expects them', () => {
    const c = loadConfig(file, { SECRET: '12345', PER_PARTICIPANT: 'true', SMTP_PORT: '2526' });
    expect(c.notify.notifiers[0]).toMatchObject({ settings: { port: 2526 } });
    expect(c.poll.concurrency).toBe(4);
    expect(c.run.shutdownTimeoutMs).toBe(3000);
    expect(c.zoom!.dailyShare).toBe(0.25);
    expect(c.metrics.participantSeries).toBe(true);
    // Where the schema wants text, digits stay text.
    expect(c.zoom!.clientSecret).toBe('12345');
    expect(loadConfig(file, { SECRET: 's' }).notify.notifiers[0]).toMatchObject({ settings: { port: 2525 } });
  });

  it('still says where a value from the environment is of the wrong type', () => {
    let err: unknown;
    try {
      loadConfig(file, { SECRET: 's', SMTP_PORT: 'twenty-five' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileInvalidError);
    expect((err as Error).message).toBe(
      `${file}:5:55: notifiers[0].port: found "twenty-five"; expected a whole number from 1 to 65535`,
    );
    expect(() => loadConfig(file, { SECRET: 's', CONCURRENCY: '2.5' })).toThrow(
      'poll.concurrency: found "2.5"; expected a whole number from 1 to 64',
    );
  });
});
