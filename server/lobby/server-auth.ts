/**
 * Key authentication of the leaderboard writes. Game nodes and operators each hold their own secret
 * (never a player token), sent as `Authorization: Bearer <key>` and compared in constant time. A
 * credential that is valid but not the one the route needs (a player token, the other key) is a 403;
 * anything else is a 401 with `WWW-Authenticate`. Keys are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bearerCredential } from '../bearer.ts';
import type { LobbyKeyScheme } from './contract.ts';
import { ForbiddenError, UnauthorizedError } from './errors.ts';
import type { AccessTokens } from './tokens.ts';
import type { LeaderboardWrites, LobbyEnv } from './types.ts';

const MIN_KEY_BYTES = 32;

/** SHA-256 first, so keys of any length compare in time independent of their content. */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Middleware that lets a request through only with the `scheme` key of `writes`. */
export function requireKey(
  scheme: LobbyKeyScheme,
  writes: LeaderboardWrites | undefined,
  tokens: AccessTokens,
): MiddlewareHandler<LobbyEnv> {
  const keys = writes ? { serverKey: writes.serverKey, adminKey: writes.adminKey } : undefined;
  for (const [name, key] of Object.entries(keys ?? {})) {
    if (Buffer.byteLength(key) < MIN_KEY_BYTES)
      throw new Error(`${name} must be at least ${MIN_KEY_BYTES} bytes`);
  }
  // Resolved once: the per-request work is one hash and at most two comparisons.
  const wanted = keys ? digest(keys[scheme]) : undefined;
  const other = keys ? digest(keys[scheme === 'serverKey' ? 'adminKey' : 'serverKey']) : undefined;
  const needs = scheme === 'serverKey' ? 'the server key' : 'the admin key';
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new UnauthorizedError(`This route needs ${needs} (Authorization: Bearer <key>).`);
    const credential = bearerCredential(header);
    if (!credential) throw new UnauthorizedError('The Authorization header is not a Bearer credential.');
    const presented = digest(credential);
    if (wanted && timingSafeEqual(presented, wanted)) return next();
    if ((other && timingSafeEqual(presented, other)) || (await tokens.verify(credential))) {
      throw new ForbiddenError(`Only ${needs} may use this route.`);
    }
    throw new UnauthorizedError(`The key is not ${needs}.`);
  };
}

/**
 * A test for requests that carry the server or the admin key. Server-to-server traffic (match
 * reports) and operators never spend a client's rate-limit budget: the key is checked before the
 * per-IP limiter counts the request, so a wrong key is still counted against its IP.
 */
export function carriesKey(writes: LeaderboardWrites | undefined): (c: Context) => boolean {
  if (!writes) return () => false;
  const keys = [digest(writes.serverKey), digest(writes.adminKey)];
  return (c) => {
    const header = c.req.header('authorization');
    const credential = header && bearerCredential(header);
    if (!credential) return false;
    const presented = digest(credential);
    // Both comparisons always run: the time taken says nothing about which key matched.
    const matches = keys.map((key) => timingSafeEqual(presented, key));
    return matches.includes(true);
  };
}
