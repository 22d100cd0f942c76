/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
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
  });
  return { signal: ac.signal, done };
}
