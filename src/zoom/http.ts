import type { KyInstance, Options } from 'ky';

let loading: Promise<KyInstance> | undefined;

/**
 * ky, imported at the first request to Zoom instead of at start-up: importing it starts Node's
 * fetch (undici), CPU that `qoswatch run` would otherwise spend before it answers `/readyz`.
 * Its requests go out through transport.ts (the `undici` package's keep-alive pool), not Node's
 * fetch: about half the CPU of a call. An import that fails (a chunk missing for the instant a
 * rebuild swaps dist/, scripts/build.mjs) fails that request, and the next one imports again.
 */
export function http(): Promise<KyInstance> {
  loading ??= Promise.all([import('ky'), import('./transport.js')]).then(
    ([ky, { zoomFetch }]) => ky.default.create({ fetch: zoomFetch }),
    (err: unknown) => {
      // Not kept: the next request imports again (Node caches no failure to find a module).
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/**
 * A request's options: ky's, and the most bytes of its answer read (transport.ts), which ky passes
 * on to its fetch as an option it does not know.
 */
export type ZoomOptions = Options & { maxBytes: number };
