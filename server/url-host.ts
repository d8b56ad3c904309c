/**
 * The host part of a URL that reaches a server listening on `host`: a wildcard address becomes the
 * loopback one (a URL cannot name "every interface"), and IPv6 addresses get their brackets.
 */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
