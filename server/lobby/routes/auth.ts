/** Handlers of guest sign-in and the current player (contracts in ../contracts/auth.ts). */
import type { Hono, MiddlewareHandler } from 'hono';
import { authRoutes } from '../contracts/auth.ts';
import type { LobbyDeps, LobbyEnv, PlayerGuard } from '../types.ts';
import { validate } from '../validation.ts';

/** Mount POST /v1/auth/guest and GET /v1/me. */
export function mountAuthRoutes(
  app: Hono<LobbyEnv>,
  deps: LobbyDeps,
  player: PlayerGuard,
  guestLimit: MiddlewareHandler<LobbyEnv>,
): void {
  const { guest, me } = authRoutes;
  app.post(guest.path, guestLimit, validate('json', guest.request.body), async (c) => {
    const { name } = c.req.valid('json');
    const player = await deps.store.players.createGuest(name);
    const { token, expiresAt } = await deps.tokens.issue(player.id);
    return c.json({ playerId: player.id, name: player.name, accessToken: token, expiresAt }, 201);
  });
  app.get(me.path, player, (c) => {
    const { id, name, createdAt } = c.var.player;
    return c.json({ playerId: id, name, createdAt });
  });
}
