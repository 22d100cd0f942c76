/**
 * Resolves on the first SIGTERM or SIGINT (a second one exits at once), or when the process
 * started by npm finds itself orphaned (see watchParent): what stops it is the abort reason.
 */
export function onShutdown(): { signal: AbortSignal; done: Promise<NodeJS.Signals> } {
  const ac = new AbortController();
  const done = new Promise<NodeJS.Signals>((resolve) => {
    const handler = (sig: NodeJS.Signals): void => {
      if (ac.signal.aborted) process.exit(130);
      ac.abort(new Error(`received ${sig}`));
      resolve(sig);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
    const unwatch = watchParent(() => {
      if (ac.signal.aborted) return;
      process.stderr.write('qoswatch: the npm process that started it is gone; stopping as on SIGTERM\n');
      ac.abort(new Error('parent npm process gone'));
      resolve('SIGTERM');
    });
    ac.signal.addEventListener('abort', unwatch, { once: true });
  });
  return { signal: ac.signal, done };
}

/**
 * `npx qoswatch run` and `npm start` put npm and a `sh -c` between the service manager and
 * qoswatch. A SIGTERM to npm ends npm (and the shell) without reaching qoswatch, which is then
 * re-parented and would keep polling, unseen. So when npm started it (npm sets
 * `npm_lifecycle_event` for `npx`, `npm exec`, `npm start` and `npm run`), qoswatch checks
 * every `everyMs` whether its parent changed, and calls `orphaned` once when it did. Started
 * any other way (node, the bin, Docker, systemd) nothing is watched: a parent that changes
 * there is the user's business (setsid, nohup). Returns a function that stops watching.
 */
export function watchParent(
  orphaned: () => void,
  env: NodeJS.ProcessEnv = process.env,
  everyMs = 1000,
): () => void {
  if (env.npm_lifecycle_event === undefined) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    orphaned();
  }, everyMs);
  timer.unref(); // never what keeps the process alive
  return () => clearInterval(timer);
}
