import type { KyInstance } from 'ky';

let loading: Promise<KyInstance> | undefined;

/**
 * ky, imported at the first request to Zoom instead of at start-up: importing it starts Node's
 * fetch (undici), CPU that `qoswatch run` would otherwise spend before it answers `/readyz`.
 */
export function http(): Promise<KyInstance> {
  loading ??= import('ky').then((m) => m.default);
  return loading;
}
