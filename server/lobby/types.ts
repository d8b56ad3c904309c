/**
 * What the lobby app is built from. Everything is passed in (store, clock, tokens, logger), so
 * tests and the process entry point assemble it the same way and no module holds a singleton.
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { Player, Store } from '../store/types.ts';
import type { BoardSetting } from './config.ts';
import type { LobbyModes } from './modes.ts';
import type { AdminSession, AdminSessions } from './ops/admin-session.ts';
import type { LobbyMetrics } from './ops/metrics.ts';
import type { NodeClient } from './ops/node-client.ts';
import type { PartyTokens } from './party-tokens.ts';
import type { RateLimits } from './rate-limit.ts';
import type { Seating } from './seating.ts';
import type { AccessTokens } from './tokens.ts';

/** The lobby's dependencies and settings. */
export interface LobbyDeps {
  readonly store: Store;
  /** Wall-clock milliseconds: the clock `tokens` was built with, for routes that need time. */
  readonly now: () => number;
  readonly tokens: AccessTokens;
  /** Players' consent to join another's matchmaking party. */
  readonly partyTokens: PartyTokens;
  readonly log: Logger;
  /** The game modes rooms and tickets may name. */
  readonly modes: LobbyModes;
  /** Creates rooms on game nodes and mints seats in them. */
  readonly seating: Seating;
  /** How long a matchmaking ticket searches before it expires, in ms. */
  readonly ticketTtlMs: number;
  /** Request budgets (default DEFAULT_RATE_LIMITS). */
  readonly rateLimits?: RateLimits;
  /** Credentials and mapping of the leaderboard writes; without them every write is refused (401). */
  readonly leaderboardWrites?: LeaderboardWrites;
  /** True once shutdown has begun: /ready answers 503 so load balancers stop sending traffic. */
  readonly draining?: () => boolean;
  /** Serve the built browser demo from this directory at `/` (client-demo/dist). */
  readonly demoDir?: string;
  /** Largest accepted request body in bytes (default 16 KiB). */
  readonly maxBodyBytes?: number;
  /** The admin API and console (/v1/admin, /admin); not served without. */
  readonly admin?: AdminDeps;
  /** Prometheus metrics served at GET /metrics (none served without). */
  readonly metrics?: LobbyMetrics;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (TICKFORGE_METRICS_TOKEN). */
  readonly metricsToken?: string;
}

/** What the admin API needs beyond the lobby's own dependencies. */
export interface AdminDeps {
  /** The configured boards, listed and browsed by operators. */
  readonly boards: readonly BoardSetting[];
  /** Calls game nodes' operator routes with the admin key. */
  readonly nodes: NodeClient;
  /** Console sessions (signed with the admin key). */
  readonly sessions: AdminSessions;
  /** The console's built files (client-admin/dist); without them /admin says how to build them. */
  readonly consoleDir?: string;
  /**
   * The deployment's heartbeat interval (TICKFORGE_HEARTBEAT_MS), for nodes that do not announce
   * their own; 1000 when absent.
   */
  readonly heartbeatMs?: number;
}

/** Who may write leaderboards, and where a finished match counts. */
export interface LeaderboardWrites {
  /** The game nodes' shared secret for POST /v1/matches, at least 32 bytes. */
  readonly serverKey: string;
  /** The operators' secret for POST /v1/leaderboards/{boardId}/scores, at least 32 bytes. */
  readonly adminKey: string;
  /** The boards a match of `mode` counts on (empty: none); each receives every result's score. */
  readonly boardsForMode: (mode: string) => readonly string[];
}

/** Hono environment of every lobby route: what middleware leaves for handlers. */
export interface LobbyEnv {
  Variables: {
    /** The authenticated player, set by the auth middleware. */
    player: Player;
    /** The request's id (X-Request-Id), set first of all. */
    requestId: string;
    /** Who is acting on an admin route (`admin-key`, or `console:<name>`), for the logs. */
    operator: string;
    /** The admin console session, when the request came with one. */
    adminSession: AdminSession;
  };
}

/** Middleware that admits a request only with a valid access token (and within the player's budget). */
export type PlayerGuard = MiddlewareHandler<LobbyEnv>;
