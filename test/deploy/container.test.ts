import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioFrom } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { systemClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { onFreePort } from '../helpers/ports.js';
import { waitForOk } from '../helpers/cli.js';

/**
 * The image's runtime stage, rebuilt without a Docker engine: its files come from the
 * Dockerfile's own COPY lines (the build stage's /app is this checkout after `npm run build`),
 * and it runs as a non-root user with the config at a stand-in for /etc/qoswatch/config.yaml and
 * the state at a stand-in for /var/lib/qoswatch.
 */
const dockerfile = readFileSync(fromRoot('Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const instructions = (name: string): string[] =>
  [...runtime.matchAll(new RegExp(`^${name} (.+)$`, 'gm'))].map((m) => m[1]!.trim());

const root = mkdtempSync(join(tmpdir(), 'qw-image-'));
const inImage = (p: string): string => join(root, p);
const workdir = instructions('WORKDIR').at(-1)!;
const NODE_UID = 1000; // the node user of the official Node images
const asRoot = process.getuid?.() === 0;

/** Lays out one COPY line; node_modules is linked rather than copied (it is large). */
function copy(line: string): string[] {
  const parts = line.split(/\s+/);
  const fromBuild = parts[0]!.startsWith('--from=');
  const args = parts.filter((p) => !p.startsWith('--'));
  const dest = args.pop()!;
  const target = dest.startsWith('/') ? dest : join(workdir, dest);
  const done: string[] = [];
  for (const src of args) {
    const from = fromBuild ? fromRoot(src.replace(/^\/app\/?/, '')) : fromRoot(src);
    const isDir = statSync(from).isDirectory();
    const to = inImage(dest.endsWith('/') || args.length > 1 ? join(target, basename(src)) : target);
    mkdirSync(dirname(to), { recursive: true });
    if (basename(from) === 'node_modules') symlinkSync(from, to);
    else cpSync(from, to, { recursive: isDir });
    done.push(to);
  }
  return done;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) return [];
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

/**
 * The node binary the non-root user runs. The image has its own in /usr/local/bin; here, this
 * process's node, copied into the layout when the user could not reach it where it is (a node
 * from npx under /root, as on CI's Node 24 run).
 */
function nodeForNodeUser(): string {
  if (!asRoot) return process.execPath;
  let reachable = (statSync(process.execPath).mode & 0o001) !== 0;
  for (let d = dirname(process.execPath); reachable && d !== dirname(d); d = dirname(d))
    reachable = (statSync(d).mode & 0o001) !== 0;
  if (reachable) return process.execPath;
  const copy = inImage('/usr/local/bin/node');
  mkdirSync(dirname(copy), { recursive: true });
  cpSync(process.execPath, copy);
  chmodSync(copy, 0o755);
  return copy;
}

let sim: ZoomSimulator;
const env: Record<string, string> = {};

beforeAll(async () => {
  for (const line of instructions('COPY')) copy(line);
  for (const d of ['/var/lib/qoswatch', '/etc/qoswatch']) mkdirSync(inImage(d), { recursive: true });
  for (const [, k, v] of instructions('ENV').flatMap((l) => [...l.matchAll(/(\w+)=(\S+)/g)]))
    env[k!] = v!.startsWith('/') ? inImage(v!) : v!;
  if (asRoot) {
    chmodSync(root, 0o755);
    chownSync(inImage('/var/lib/qoswatch'), NODE_UID, NODE_UID);
  }
  const now = Date.now();
  sim = new ZoomSimulator(
    scenarioFrom(
      {
        start: new Date(now - 10 * 60_000).toISOString(),
        credentials: { account_id: 'acct', client_id: 'cid', client_secret: 'csecret' },
        meetings: [{ id: 84000000007, uuid: 'image==', topic: 'Image', participants: [{ user_id: '1' }] }],
      },
      now,
    ),
    systemClock,
  );
  await sim.listen();
});
afterAll(async () => {
  await sim.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the container image (its runtime layout, assembled from the Dockerfile)', () => {
  it('holds compiled JavaScript and data files, but no TypeScript sources and no source maps', () => {
    const files = filesUnder(inImage(workdir));
    expect(files.some((f) => f.endsWith('dist/src/main.js'))).toBe(true);
    expect(files.some((f) => f.endsWith('dist/schema/config.schema.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('rules/default.yaml'))).toBe(true);
    expect(files.filter((f) => /\.(ts|map)$/.test(f))).toEqual([]);
  });

  it('carries the OCI labels, runs as a non-root user under tini', () => {
    const labels: Record<string, string> = Object.fromEntries(
      [
        ...instructions('LABEL')
          .join(' ')
          .matchAll(/(org\.opencontainers\.image\.\w+)="([^"]*)"/g),
      ].map((m): [string, string] => [m[1]!, m[2]!]),
    );
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as {
      version: string;
      license: string;
      files: string[];
    };
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'qoswatch',
      'org.opencontainers.image.licenses': pkg.license,
    });
    expect(runtime).toContain(`ARG VERSION=${pkg.version}`);
    // URLs, not paths (the documentation label was "docs/deployment.md"); source and revision
    // from build args (they were missing).
    expect(labels['org.opencontainers.image.documentation']).toBe(
      'https://unpkg.com/qoswatch@${VERSION}/docs/deployment.md',
    );
    expect(pkg.files).toContain('docs');
    expect(labels).toMatchObject({
      'org.opencontainers.image.revision': '${REVISION}',
      'org.opencontainers.image.source': '${SOURCE}',
    });
    expect(instructions('ARG')).toEqual(expect.arrayContaining(['REVISION=""', 'SOURCE=""']));
    expect(readFileSync(fromRoot('docs', 'deployment.md'), 'utf8')).toContain(
      '--build-arg REVISION=$(git rev-parse HEAD)',
    );
    expect(instructions('USER')).toEqual(['node']);
    expect(instructions('ENTRYPOINT')[0]).toContain('tini');
  });

  it('starts from /etc/qoswatch/config.yaml as a non-root user, answers /readyz and HEALTHCHECK, stops on SIGTERM', async () => {
    const argv = (json: string): string[] => {
      const cmd = JSON.parse(json) as string[];
      return cmd.map((a) => (a.startsWith('/etc/') ? inImage(a) : a));
    };
    const [node, ...args] = argv(instructions('CMD').at(-1)!);
    expect(node).toBe('node');
    const user = asRoot ? { uid: NODE_UID, gid: NODE_UID } : {};
    const nodeBin = nodeForNodeUser();
    let out = '';
    // The HEALTHCHECK reads the port from QOSWATCH_LISTEN, so it is given one (not 0), and the
    // start is tried again on another when that one was taken meanwhile (EADDRINUSE).
    const { port, runEnv, child, exited } = await onFreePort(async (port) => {
      const runEnv = {
        ...process.env,
        ...env,
        ZOOM_API_URL: sim.url,
        ZOOM_OAUTH_URL: `${sim.url}/oauth/token`,
        ZOOM_ACCOUNT_ID: 'acct',
        ZOOM_CLIENT_ID: 'cid',
        ZOOM_CLIENT_SECRET: 'csecret',
        QOSWATCH_LISTEN: `127.0.0.1:${port}`,
      };
      out = '';
      const child = spawn(nodeBin, args, { cwd: inImage(workdir), env: runEnv, ...user });
      child.on('error', (err) => (out += `spawn failed: ${err.message}\n`));
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('close', r));
      const ready = waitForOk(`http://127.0.0.1:${port}/readyz`, 400).then(
        () => 'ready' as const,
        (err: unknown) => (err as Error).message,
      );
      const first = await Promise.race([ready, exited.then(() => 'qoswatch exited before it was ready')]);
      if (first !== 'ready') {
        child.kill();
        // With its output: an EADDRINUSE in it has onFreePort try another port.
        throw new Error(`${first}\n${out}`);
      }
      return { port, runEnv, child, exited };
    });
    try {
      // Ready once it runs, before its first poll cycle ends (docs/metrics.md); that cycle spends the budget saved below.
      const cycled = /cycle: \d+ live/;
      for (let i = 0; i < 400 && !cycled.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(cycled);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${out}`, { cause: err });
    }
    const health = /CMD (\[.*\])$/.exec(instructions('HEALTHCHECK')[0]!)![1]!;
    const [, ...hargs] = argv(health);
    const hc = spawnSync(nodeBin, hargs, {
      cwd: inImage(workdir),
      env: runEnv,
      encoding: 'utf8',
      ...user,
    });
    expect(hc.stdout).toBe(`http://127.0.0.1:${port}/healthz: HTTP 200\n`);
    expect(hc.status).toBe(0);
    expect(readdirSync(inImage('/var/lib/qoswatch'))).toContain('qoswatch.lock');

    child.kill('SIGTERM');
    const grace = new Promise<'killed'>((r) => setTimeout(() => r('killed'), 10_000).unref());
    expect(await Promise.race([exited, grace]), out).toBe(0); // Docker's default stop grace: 10 s
    expect(out).toContain('stopped');
    expect(readdirSync(inImage('/var/lib/qoswatch')).sort()).toEqual(
      expect.arrayContaining(['budget-zoom.json']),
    );
    expect(readdirSync(inImage('/var/lib/qoswatch'))).not.toContain('qoswatch.lock');
  });
});
