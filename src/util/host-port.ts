/**
 * A listen address as the user writes it and a URL takes it: an IPv6 host in brackets
 * (`[::1]:9781`), any other host as is (`127.0.0.1:9781`, `localhost:9781`). parseListen gives
 * the host without its brackets; every place that shows an address goes through here.
 */
export function hostPort(host: string, port: number): string {
  return `${bracketed(host)}:${port}`;
}

/** `host` as a URL's host part: an IPv6 address (it holds a `:`) in brackets. */
export function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
