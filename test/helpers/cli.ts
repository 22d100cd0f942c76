import { spawn, type ChildProcess } from 'node:child_process';
import { fromRoot } from '../../src/util/package-root.js';

export const CLI = fromRoot('dist', 'src', 'main.js');

/**
 * This environment without npm's settings (`npm_*`), as a user's shell has it: the npm that runs
 * the tests sets them, and under `npx -p node@24 -c '...'` (.ci/run's Node 24 line) they hold
 * `npm_config_call`, which a nested npx reads as its own `-c`.
 */
export const withoutNpmSettings = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `qoswatch` command (npm test builds it first) and collects its output. With
 * `killAfterMs`, a run still going then is killed (code null): a bound on work that must end, not
 * a timing figure.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  killAfterMs?: number,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(killAfterMs ? { timeout: killAfterMs, killSignal: 'SIGKILL' as const } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the built `qoswatch` command and returns it running; `nodeArgs` go to Node before it. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/**
 * Waits until a command started with `startCli` has printed a match for `pattern`, and returns
 * the match: checked on each chunk of its output, not by a count of polls (a count that was
 * enough on an idle machine ran out on a loaded one). Fails with the output when the command
 * exits without printing it, or after `ms`: far above any start-up, the test's timeout aside.
 */
export function printed(
  p: Pick<ReturnType<typeof startCli>, 'child' | 'output'>,
  pattern: string | RegExp,
  ms = 45_000,
): Promise<RegExpExecArray> {
  const re =
    typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      clearTimeout(timer);
      p.child.stdout?.off('data', check);
      p.child.stderr?.off('data', check);
      p.child.off('close', closed);
    };
    const fail = (why: string): void => {
      stop();
      reject(new Error(`${why} printing ${String(pattern)}; its output:\n${p.output()}`));
    };
    // Runs after startCli's own listeners, which add each chunk to the output.
    const check = (): boolean => {
      const m = re.exec(p.output());
      if (m) {
        stop();
        resolve(m);
      }
      return m !== null;
    };
    const closed = (): void => {
      if (!check()) fail('the command exited without');
    };
    const timer = setTimeout(() => fail(`${ms} ms passed without`), ms);
    p.child.stdout?.on('data', check);
    p.child.stderr?.on('data', check);
    p.child.on('close', closed);
    check();
  });
}

/** Polls `url` until it answers 200: waiting for a child process to come up, bounded by `tries`. */
export async function waitForOk(url: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never answered 200`);
}

/**
 * Runs the built `qoswatch` with `args` until it prints `pattern`, then waits up to `ms` for it to
 * exit: what it printed and its exit code (null when still running then). It is killed before
 * this returns or fails, so a command that hangs fails its test instead of outliving it.
 */
export async function runUntilPrinted(
  args: string[],
  pattern: string,
  env: Record<string, string> = {},
  ms = 30_000,
): Promise<{ out: string; code: number | null }> {
  const p = startCli(args, env);
  let timer: NodeJS.Timeout | undefined;
  try {
    await printed(p, pattern, ms);
    const code = await Promise.race([
      p.exited,
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms))),
    ]);
    return { out: p.output(), code };
  } finally {
    clearTimeout(timer);
    p.child.kill('SIGKILL');
  }
}
