/**
 * The lobby's Hono app: REST + JSON under /v1, probes and the API description at the root. Built
 * from injected dependencies only; the caller serves it (e.g. with @hono/node-server).
 */
import { Hono } from 'hono';
import { MAX_MATCH_REPORT_BYTES } from '../../shared/protocol/schemas/match-report.ts';
import { requirePlayer } from './auth.ts';
import { limitBody } from './body-limit.ts';
import type { RouteSpec } from './contract.ts';
import { adminRoutes } from './contracts/admin.ts';
import { authRoutes } from './contracts/auth.ts';
import { leaderboardRoutes } from './contracts/leaderboards.ts';
import { matchmakingRoutes } from './contracts/matchmaking.ts';
import { roomRoutes } from './contracts/rooms.ts';
import { systemRoutes } from './contracts/system.ts';
import { buildOpenApi } from './openapi.ts';
import { mountMetrics } from './ops/metrics-route.ts';
import { observeRequests } from './ops/observe.ts';
import { installProblemHandlers } from './problem.ts';
import { clientIp, DEFAULT_RATE_LIMITS, rateLimit, requestBudget } from './rate-limit.ts';
import { mountAdminRoutes } from './routes/admin.ts';
import { mountAuthRoutes } from './routes/auth.ts';
import { mountDemo } from './routes/demo.ts';
import { mountLeaderboardRoutes } from './routes/leaderboards.ts';
import { mountMatchmakingRoutes } from './routes/matchmaking.ts';
import { mountRoomRoutes } from './routes/rooms.ts';
import { mountSystemRoutes } from './routes/system.ts';
import { carriesKey } from './server-auth.ts';
import type { LobbyDeps, LobbyEnv } from './types.ts';

export type { LeaderboardWrites, LobbyDeps, LobbyEnv } from './types.ts';

const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Default largest request body: lobby bodies are small JSON objects. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/** Every route contract the lobby serves, in documentation order. */
export const LOBBY_ROUTES: readonly RouteSpec[] = [
  ...Object.values(authRoutes),
  ...Object.values(roomRoutes),
  ...Object.values(matchmakingRoutes),
  ...Object.values(leaderboardRoutes),
  ...Object.values(systemRoutes),
  ...Object.values(adminRoutes),
];

/**
 * Build the lobby app.
 * @example
 * const store = await openEmbeddedStore({ dataDir: config.dataDir, now: Date.now });
 * const tokens = createAccessTokens({ secret, now: Date.now });
 * serve({ fetch: createLobbyApp({ store, now: Date.now, tokens, partyTokens, log, modes, seating, ticketTtlMs }).fetch, port: 2568 });
 */
export function createLobbyApp(deps: LobbyDeps): Hono<LobbyEnv> {
  const app = new Hono<LobbyEnv>();
  const maxBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
  installProblemHandlers(app, deps.log);
  app.use(
    '*',
    observeRequests({
      log: deps.log,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      matchReportPath: leaderboardRoutes.match.path,
    }),
  );
  if (deps.metrics) mountMetrics(app, deps.metrics, deps.metricsToken);
  // Game nodes and operators (server and admin key) never compete with players for a budget.
  app.use(
    '/v1/*',
    rateLimit(
      'ip',
      limits.ipPerMinute,
      (c) => clientIp(c, limits.trustProxy),
      carriesKey(deps.leaderboardWrites),
      deps.store.budgets,
    ),
  );
  // Registered for the methods with bodies only, so reads never pass through it. Match reports come
  // from game nodes (the route checks the server key before reading the body) and a full one is
  // larger than any client request: they have a limit of their own.
  const clientBodies = limitBody(maxBytes);
  const reportBodies = limitBody(Math.max(maxBytes, MAX_MATCH_REPORT_BYTES));
  app.on(BODY_METHODS, '/v1/*', (c, next) =>
    (c.req.path === leaderboardRoutes.match.path ? reportBodies : clientBodies)(c, next),
  );
  const player = requirePlayer(
    deps.tokens,
    deps.store.players,
    requestBudget('player', limits.playerPerMinute, deps.store.budgets),
  );
  const guests = rateLimit(
    'guest',
    limits.guestPerMinute,
    (c) => clientIp(c, limits.trustProxy),
    undefined,
    deps.store.budgets,
  );
  mountAuthRoutes(app, deps, player, guests);
  mountRoomRoutes(app, deps, player);
  mountMatchmakingRoutes(app, deps, player);
  mountLeaderboardRoutes(app, deps);
  if (deps.admin) mountAdminRoutes(app, deps, deps.admin);
  mountSystemRoutes(app, deps, buildOpenApi(LOBBY_ROUTES, { title: 'Tickforge lobby', version: '1.0.0' }));
  if (deps.demoDir) mountDemo(app, deps.demoDir);
  return app;
}
