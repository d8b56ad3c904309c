/**
 * The lobby as a running HTTP server: the Hono app on @hono/node-server over a store, with the
 * matchmaking timer. `npm start` runs one beside its game node; `TICKFORGE_ROLE=lobby` runs one on
 * its own, and any number of them can share a Redis store.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { AnyRoomDefinition } from './game/room.ts';
import { SeatTokens } from './game/seat-token.ts';
import { createLobbyApp } from './lobby/app.ts';
import { MatchmakingService } from './lobby/matchmaking/service.ts';
import { modesFrom } from './lobby/modes.ts';
import { AdminSessions } from './lobby/ops/admin-session.ts';
import { instrumentStore } from './lobby/ops/instrument-store.ts';
import { LobbyMetrics } from './lobby/ops/metrics.ts';
import { createNodeClient } from './lobby/ops/node-client.ts';
import { createPartyTokens } from './lobby/party-tokens.ts';
import { Seating } from './lobby/seating.ts';
import { createAccessTokens } from './lobby/tokens.ts';
import { loadSecret } from './secrets.ts';
import type { Store } from './store/types.ts';
import { urlHost } from './url-host.ts';

/** The secrets a game node uses: the seat secret, the server key, and the admin key when configured. */
export interface NodeSecrets {
  readonly seatSecret: string;
  readonly serverKey: string;
  /** Lets operators read the node's GET /rooms besides the server key; a game node never makes one up. */
  readonly adminKey: string | undefined;
}

/** The secrets a deployment's processes share (each configured, or generated into the data dir by `npm start`). */
export interface Secrets extends NodeSecrets {
  readonly accessSecret: string;
  readonly adminKey: string;
}

/** Every secret: the configured one, else the one kept in (or generated into) the data dir. */
export async function loadSecrets(config: Config): Promise<Secrets> {
  const { lobby, dataDir } = config;
  const [seatSecret, accessSecret, serverKey, adminKey] = await Promise.all([
    loadSecret(config.seatSecret, dataDir, 'seat-secret'),
    loadSecret(lobby.accessSecret, dataDir, 'access-secret'),
    loadSecret(lobby.serverKey, dataDir, 'server-key'),
    loadSecret(lobby.adminKey, dataDir, 'admin-key'),
  ]);
  return { seatSecret, accessSecret, serverKey, adminKey };
}

/** A game node's secrets (role `game`): configured, as its role requires, so nothing is generated. */
export async function loadNodeSecrets(config: Config): Promise<NodeSecrets> {
  const { lobby, dataDir } = config;
  const [seatSecret, serverKey] = await Promise.all([
    loadSecret(config.seatSecret, dataDir, 'seat-secret'),
    loadSecret(lobby.serverKey, dataDir, 'server-key'),
  ]);
  return { seatSecret, serverKey, adminKey: lobby.adminKey };
}

/** Seat tokens signed with the deployment's seat secret. */
export function seatTokensFor(secrets: Pick<NodeSecrets, 'seatSecret'>, now: () => number): SeatTokens {
  return new SeatTokens({ secret: encode(secrets.seatSecret), now });
}

/** A running lobby. */
export interface LobbyServer {
  /** Its base URL (http://host:port). */
  readonly url: string;
  readonly port: number;
  readonly matchmaking: MatchmakingService;
  /** Say 503 on /ready from now on (load balancers stop sending), and stop matchmaking. */
  drain(): Promise<void>;
  /** Close the HTTP server (keep-alive and SSE connections too). */
  close(): Promise<void>;
}

export interface LobbyServerOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly rooms: readonly AnyRoomDefinition[];
  readonly store: Store;
  readonly secrets: Secrets;
  readonly now: () => number;
}

const encode = (secret: string) => new TextEncoder().encode(secret);

/** Where `npm run build:demo` puts the browser demo the lobby serves at `/`. */
export const DEMO_DIR = fileURLToPath(new URL('../client-demo/dist', import.meta.url));

/** Where `npm run build:admin` puts the admin console the lobby serves at `/admin`. */
export const CONSOLE_DIR = fileURLToPath(new URL('../client-admin/dist', import.meta.url));

/** Start the lobby's HTTP server and its matchmaking timer. */
export async function startLobbyServer(options: LobbyServerOptions): Promise<LobbyServer> {
  const { config, log, rooms, secrets, now } = options;
  const settings = config.lobby;
  // The lobby's every store call is measured (GET /metrics), whichever store is underneath.
  const metrics = new LobbyMetrics({ defaultMetrics: true });
  const store = instrumentStore(options.store, metrics, now);
  metrics.watchQueues(
    () => store.tickets.searching(),
    now,
    rooms.map((room) => room.mode),
  );
  const modes = modesFrom(rooms, settings);
  const seating = new Seating({
    rooms: store.rooms,
    tokens: seatTokensFor(secrets, now),
    modes,
    now,
    seatTtlSeconds: settings.seatTtlSeconds,
    roomLimits: settings.roomLimits,
    log,
  });
  let draining = false;
  const app = createLobbyApp({
    store,
    now,
    draining: () => draining,
    partyTokens: createPartyTokens({ secret: encode(secrets.accessSecret), now }),
    tokens: createAccessTokens({
      secret: encode(secrets.accessSecret),
      now,
      ttlMs: settings.accessTokenTtlSeconds * 1000,
    }),
    log,
    modes,
    seating,
    ticketTtlMs: settings.ticketTtlMs,
    rateLimits: settings.rateLimits,
    maxBodyBytes: settings.maxBodyBytes,
    metrics,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    admin: {
      boards: settings.boards,
      nodes: createNodeClient(secrets.adminKey),
      sessions: new AdminSessions(secrets.adminKey, now),
      consoleDir: CONSOLE_DIR,
      heartbeatMs: config.deployment.heartbeatMs,
    },
    ...(settings.serveDemo ? { demoDir: DEMO_DIR } : {}),
    leaderboardWrites: {
      serverKey: secrets.serverKey,
      adminKey: secrets.adminKey,
      boardsForMode: (mode) => settings.boards.filter((b) => b.mode === mode).map((b) => b.id),
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: settings.port, hostname: config.game.host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(config.game.host)}:${port}`;
  log.info({ url }, 'lobby listening');
  const matchmaking = new MatchmakingService({
    tickets: store.tickets,
    seating,
    modes,
    now,
    log,
    leaseTtlMs: settings.matchmakingLeaseMs,
  });
  matchmaking.start(settings.matchmakingIntervalMs);
  return {
    url,
    port,
    matchmaking,
    async drain() {
      draining = true;
      await matchmaking.stop();
    },
    close: () => closeServer(server),
  };
}

function closeServer(server: ReturnType<typeof serve>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive and SSE connections would hold close() open.
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
