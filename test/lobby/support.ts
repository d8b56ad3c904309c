/**
 * A lobby on a real HTTP server (127.0.0.1, port 0) over an in-memory store (or one the test opens,
 * e.g. on Redis, to run several lobbies on one store), with captured logs.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { SeatTokens } from '../../server/game/seat-token.ts';
import { arena } from '../../server/games/arena/index.ts';
import { createLobbyApp, type LeaderboardWrites, type LobbyEnv } from '../../server/lobby/app.ts';
import { MatchmakingService } from '../../server/lobby/matchmaking/service.ts';
import { type LobbyModes, modesFrom } from '../../server/lobby/modes.ts';
import { AdminSessions } from '../../server/lobby/ops/admin-session.ts';
import { instrumentStore } from '../../server/lobby/ops/instrument-store.ts';
import type { LobbyMetrics } from '../../server/lobby/ops/metrics.ts';
import { createNodeClient } from '../../server/lobby/ops/node-client.ts';
import { createPartyTokens } from '../../server/lobby/party-tokens.ts';
import type { RateLimits } from '../../server/lobby/rate-limit.ts';
import { type RoomLimits, Seating } from '../../server/lobby/seating.ts';
import { createAccessTokens } from '../../server/lobby/tokens.ts';
import { IN_MEMORY, openEmbeddedStore } from '../../server/store/embedded/index.ts';
import type { BoardConfig, Store } from '../../server/store/types.ts';

/** A running lobby: its base URL, app (to add test-only routes), clock and log lines. */
export interface TestLobby {
  readonly url: string;
  readonly app: Hono<LobbyEnv>;
  readonly store: Store;
  readonly clock: { now: number };
  readonly logs: string[];
  /** Verifies the seat tokens the lobby mints (as a game node would). */
  readonly seatTokens: SeatTokens;
  /** Matchmaking, not started: tests run passes with `runPass()`. */
  readonly matchmaking: MatchmakingService;
  /** Announce a (fake) game node to the room directory, as its heartbeat would. */
  heartbeat(nodeId?: string, ttlMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The seat secret of test lobbies (game nodes in tests use their own). */
export const TEST_SEAT_SECRET = new TextEncoder().encode('a-seat-secret-of-at-least-32-bytes!!');

/** Arena as a test lobby offers it: 4 players, 2 to start after a 5 s wait, skill windows. */
export const TEST_MODES: LobbyModes = modesFrom([{ ...arena, maxPlayers: 4 }], {
  skill: { initialWindow: 100, widenPerSecond: 50, maxWindow: 500 },
  fillWaitMs: 5000,
  roomOptions: { arena: { matchSeconds: 3 } },
});

/** Shared by every test lobby so tokens can be forged with a different one. */
export const TEST_SECRET = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');

/** What a test lobby is started with; every field has a default. */
export interface TestLobbyOptions {
  readonly maxBodyBytes?: number;
  readonly ttlMs?: number;
  readonly boards?: readonly BoardConfig[];
  readonly leaderboardWrites?: LeaderboardWrites;
  readonly rateLimits?: RateLimits;
  readonly ticketTtlMs?: number;
  readonly draining?: () => boolean;
  /** Caps on the live rooms of one creator (default: none). */
  readonly roomLimits?: RoomLimits;
  /** Open the lobby's store on its clock (default: the embedded store in memory); closed with it. */
  readonly openStore?: (now: () => number) => Promise<Store>;
  /** The lobby's clock, to share one between lobbies (default: its own, at 2026-11-22 12:00 UTC). */
  readonly clock?: { now: number };
  /** Serve these metrics at /metrics, fed by the store wrapped as tickforge.ts wraps it. */
  readonly metrics?: LobbyMetrics;
  readonly metricsToken?: string;
  /** The deployment's heartbeat interval the admin API judges nodes by (default 1000). */
  readonly heartbeatMs?: number;
  /** Mount the admin console (/admin, its sign-in and sign-out) with its files read from here. */
  readonly consoleDir?: string;
}

/** Rate limits off: tests that are about them turn them on. */
export const NO_RATE_LIMITS: RateLimits = {
  ipPerMinute: 0,
  playerPerMinute: 0,
  guestPerMinute: 0,
  trustProxy: false,
};

/** Start a lobby; the options override the defaults (no boards, no write keys, no rate limits). */
export async function startLobby(options: TestLobbyOptions = {}): Promise<TestLobby> {
  const { boards = [], openStore, clock = { now: Date.UTC(2026, 10, 22, 12) }, ...deps } = options;
  const now = () => clock.now;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const opened = openStore
    ? await openStore(now)
    : await openEmbeddedStore({ dataDir: IN_MEMORY, now, boards });
  const store = options.metrics ? instrumentStore(opened, options.metrics, now) : opened;
  options.metrics?.watchQueues(() => store.tickets.searching(), now);
  const tokens = createAccessTokens({
    secret: TEST_SECRET,
    now,
    ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}),
  });
  const seatTokens = new SeatTokens({ secret: TEST_SEAT_SECRET, now });
  const modes = TEST_MODES;
  const {
    ticketTtlMs = 60_000,
    rateLimits = NO_RATE_LIMITS,
    roomLimits,
    heartbeatMs,
    consoleDir,
    ...rest
  } = deps;
  const seating = new Seating({
    rooms: store.rooms,
    tokens: seatTokens,
    modes,
    now,
    seatTtlSeconds: 30,
    ...(roomLimits ? { roomLimits } : {}),
  });
  const partyTokens = createPartyTokens({ secret: TEST_SECRET, now });
  const app = createLobbyApp({
    store,
    now,
    tokens,
    partyTokens,
    log,
    modes,
    seating,
    ticketTtlMs,
    rateLimits,
    // The admin API is always served, as by tickforge.ts; nodes are reached with the admin key.
    admin: {
      boards: boards.map((board) => ({ ...board, mode: 'arena' })),
      nodes: createNodeClient(rest.leaderboardWrites?.adminKey ?? 'no-admin-key'),
      sessions: new AdminSessions(rest.leaderboardWrites?.adminKey ?? 'no-admin-key', now),
      ...(heartbeatMs ? { heartbeatMs } : {}),
      ...(consoleDir ? { consoleDir } : {}),
    },
    ...rest,
  });
  const matchmaking = new MatchmakingService({ tickets: store.tickets, seating, modes, now, log });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    store,
    clock,
    logs,
    seatTokens,
    matchmaking,
    heartbeat: (nodeId = 'node-1', ttlMs = 3_600_000) =>
      store.rooms.heartbeat(
        { nodeId, url: `ws://127.0.0.1:1/${nodeId}`, players: 0, rooms: 0, maxRooms: 100 },
        [],
        ttlMs,
      ),
    async close() {
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await store.close();
    },
  };
}

/** POST a JSON value (or a raw string body) and read the answer. */
export async function postJson(url: string, body: unknown, raw = false): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
}

/** A problem+json answer's body, after checking the content type. */
export async function readProblem(response: Response): Promise<{
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}> {
  if (response.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(
      `expected problem+json, got ${response.headers.get('content-type')}: ${await response.text()}`,
    );
  }
  return response.json();
}

/** A signed-up guest and a fetch that sends its token. */
export interface TestPlayer {
  readonly playerId: string;
  readonly name: string;
  readonly token: string;
  /** fetch `path` on the lobby with this player's token (JSON body when given). */
  call(method: string, path: string, body?: unknown): Promise<Response>;
}

/** Sign up a guest on the lobby. */
export async function signUp(lobby: TestLobby, name: string): Promise<TestPlayer> {
  const response = await postJson(`${lobby.url}/v1/auth/guest`, { name });
  if (response.status !== 201) throw new Error(`guest sign-up failed: ${response.status}`);
  const { playerId, accessToken } = (await response.json()) as { playerId: string; accessToken: string };
  return {
    playerId,
    name,
    token: accessToken,
    call: (method, path, body) =>
      fetch(`${lobby.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}
