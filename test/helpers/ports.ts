import { createServer, type AddressInfo } from 'node:net';

/**
 * A port free on 127.0.0.1 now: one that nothing listens on (for a connection that must be
 * refused). A program given it to listen on may find it taken by then: start one through
 * onFreePort, or on port 0 when it can say which port it got (listening-child.ts).
 */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Starts what must be told its port and cannot report one it chose itself on port 0 (qoswatch
 * for its HEALTHCHECK, a script with the port written in): on a free port, and on another when
 * the start failed because that one was taken between freePort and the bind (`EADDRINUSE` in
 * the error `start` threw, which should carry the program's output), up to `attempts` times.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      if (attempt >= attempts || !/EADDRINUSE/.test((err as Error).message)) throw err;
    }
  }
}
