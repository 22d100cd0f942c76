/** The SIGTERM or SIGINT that came while they were held (holdSignals); a second one exits at once, as after. */
let held: NodeJS.Signals | undefined;
const hold = (sig: NodeJS.Signals): void => {
  if (held) process.exit(130);
  held = sig;
};

/**
 * Takes SIGTERM and SIGINT from the first thing the entry point does (main.ts), before the rest
 * of qoswatch is loaded, for a command that stops on them itself (`run`), and keeps the first
 * one that comes until the command takes them (onShutdown: `run` stops as soon as it started).
 * Without it a signal sent while Node loaded qoswatch's modules met its default action: killed,
 * exit 143, nothing saved. (Node's own start, before any JavaScript runs, is not ours to cover.)
 */
export function holdSignals(): void {
  process.on('SIGTERM', hold);
  process.on('SIGINT', hold);
}

/** Stops holding signals; the one held, if any. */
function unhold(): NodeJS.Signals | undefined {
  process.off('SIGTERM', hold);
  process.off('SIGINT', hold);
  const sig = held;
  held = undefined;
  return sig;
}

/**
 * Resolves on the first SIGTERM or SIGINT (a second one exits at once), one held since the
 * start included (holdSignals), or when the process started by npm finds itself orphaned (see
 * watchParent): what stops it is the abort reason.
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
    // Held signals are taken over only now that the handler is on: never a moment without one.
    const early = unhold();
    if (early) handler(early);
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
