/**
 * Bearer-token authentication. Every failure (no header, not a bearer token, malformed, expired,
 * forged, or a player that no longer exists) is the same 401 problem with `WWW-Authenticate`, never
 * a 500; the token itself is never logged.
 */
import type { MiddlewareHandler } from 'hono';
import { bearerCredential } from '../bearer.ts';
import type { PlayerStore } from '../store/types.ts';
import { UnauthorizedError } from './errors.ts';
import type { SpendBudget } from './rate-limit.ts';
import type { AccessTokens } from './tokens.ts';
import type { LobbyEnv } from './types.ts';

/**
 * Middleware that sets `c.var.player` from a valid access token, or answers 401; then spends one
 * request of the player's budget, if one is given (one middleware, not two combined: a player's
 * every request passes here).
 */
export function requirePlayer(
  tokens: AccessTokens,
  players: PlayerStore,
  spend?: SpendBudget,
): MiddlewareHandler<LobbyEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new UnauthorizedError('An access token is required (Authorization: Bearer <token>).');
    const token = bearerCredential(header);
    if (!token) throw new UnauthorizedError('The Authorization header is not a Bearer token.');
    const playerId = await tokens.verify(token);
    if (!playerId) throw new UnauthorizedError('The access token is invalid or expired.');
    const player = await players.get(playerId);
    if (!player) throw new UnauthorizedError('The access token belongs to no current player.');
    if (spend) await spend(player.id);
    c.set('player', player);
    await next();
  };
}
