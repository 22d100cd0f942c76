import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A program started on port 0, the port it got read back from what it prints (`pattern`'s first
 * group: `host:port`, or a URL). No port is picked beforehand: picking one free and handing it to
 * the program (freePort) left a moment in which another test could take it, and the program then
 * failed to bind. Fails with the program's output when it exits or says nothing within `timeoutMs`.
 */
export function startOnPortZero(
  command: string,
  args: string[],
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`${command} ${why}:\n${out.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`said no port in ${timeoutMs} ms`), timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const where = pattern.exec(out)?.[1];
      if (where === undefined) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      // Drained, so that a chatty program never blocks on a full pipe.
      child.stdout?.removeListener('data', onData).resume();
      child.stderr?.removeListener('data', onData).resume();
      resolve({ child, url: /^\w+:\/\//.test(where) ? where : `http://${where}` });
    };
    const onExit = (code: number | null): void => fail(`exited (${code}) before it listened`);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Prometheus' and Alertmanager's line (exporter-toolkit's) with the address they listen on. */
export const PROMETHEUS_LISTENING = /msg="Listening on" address=(\S+)/;
