/**
 * Origin allow-list for WebSocket upgrades: a browser page from another site must not be able to
 * open a game socket with a player's token (cross-site WebSocket hijacking). Patterns are exact
 * origins (`https://play.example.com`), any port of one host (`http://localhost:*`), or `*`.
 * Requests without an Origin header come from non-browser clients (bots, servers) and are allowed.
 */
export function originAllowed(origin: string | undefined, patterns: readonly string[]): boolean {
  if (origin === undefined) return true;
  for (const pattern of patterns) {
    if (pattern === '*' || pattern === origin) return true;
    if (pattern.endsWith(':*')) {
      const prefix = pattern.slice(0, -1); // "http://localhost:"
      const port = origin.slice(prefix.length);
      if (origin.startsWith(prefix) && /^\d{1,5}$/.test(port)) return true;
    }
  }
  return false;
}
