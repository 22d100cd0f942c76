/**
 * Which unspecified address a listen host is, however it is written, as the WHATWG URL parser
 * reads a host: 4 for `0.0.0.0`, `0`, `0.0` or empty; 6 for `::`, `::0`, `0:0:0:0:0:0:0:0`
 * (IPv6 without its brackets, as parseListen gives it). Node binds each of these on every
 * interface. Undefined for any other host (one address, or a name).
 */
export function everyInterface(host: string): 4 | 6 | undefined {
  if (host === '') return 4;
  try {
    const h = new URL(`http://${host.includes(':') ? `[${host}]` : host}/`).hostname;
    return h === '0.0.0.0' ? 4 : h === '[::]' ? 6 : undefined;
  } catch {
    return undefined;
  }
}
