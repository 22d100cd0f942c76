const EXAMPLE = 'such as http://127.0.0.1:9782/zoom/qss';

/**
 * What is wrong with simulate's --push-to value, in words, or undefined when it is an http(s)
 * URL. A wrong port was said as "expected an http:// or https:// URL" (outside tester, stop 31).
 */
export function pushToProblem(to: string): string | undefined {
  if (to === '') return 'expected an http:// or https:// URL, found nothing';
  // Quoted, as a config problem quotes a value: a credential in its query is hidden to the
  // closing quote (util/url-ends.ts), and the message goes on after it.
  const found = `found ${JSON.stringify(to)}`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(to)?.[1];
  if (!scheme || !to.slice(scheme.length).startsWith('://'))
    return `${found}: no http:// or https:// at its start; expected a URL ${EXAMPLE}`;
  if (!/^https?$/i.test(scheme)) return `${found}: its scheme is ${scheme}:, expected http:// or https://`;
  // The host part, after any user:password@; a port is the digits after its last ':' ([::1] has its own).
  const host = /^[^/?#]*/.exec(to.slice(scheme.length + 3))![0].replace(/^.*@/, '');
  const port = /:([^:\]]*)$/.exec(host)?.[1];
  if (port !== undefined && port !== '' && !/^\d+$/.test(port))
    return `${found}: its port ${port} is not a number; expected a port from 1 to 65535`;
  if (port !== undefined && port !== '' && (Number(port) < 1 || Number(port) > 65_535))
    return `${found}: its port ${port} is out of range; expected a port from 1 to 65535`;
  if (!URL.canParse(to))
    return `${found}: not a valid URL (its host ${host || 'is empty'}${host ? ' is not a host name or IP address' : ''}); expected a URL ${EXAMPLE}`;
  return undefined;
}
