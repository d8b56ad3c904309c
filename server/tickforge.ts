/**
 * One Tickforge on one machine: the embedded store, the lobby on @hono/node-server and one game
 * node, wired as a deployment would be. The node heartbeats the store's room directory and reports
 * match results to the lobby over HTTP with the server key; the lobby mints the seats the node
 * accepts. `npm start` (server/main.ts) and the end-to-end tests both start it through here.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { GameNode } from './game/game-node.ts';
import { lobbyReporter } from './game/match-reporter.ts';
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
import { openEmbeddedStore } from './store/embedded/index.ts';
import type { Store } from './store/types.ts';
import { urlHost } from './url-host.ts';

/** A running Tickforge. */
export interface Tickforge {
  /** The lobby's base URL (http://host:port). */
  readonly lobbyUrl: string;
  readonly lobbyPort: number;
  readonly node: GameNode;
  readonly store: Store;
  readonly matchmaking: MatchmakingService;
  /** Drain the game node (match reports still reach the lobby), then close the lobby and store. */
  stop(): Promise<void>;
}

export interface TickforgeOptions {
  readonly config: Config;
  readonly log: Logger;
  /** The game modes the node runs and the lobby offers. */
  readonly rooms: readonly AnyRoomDefinition[];
  /** Wall clock in ms (default Date.now). */
  readonly now?: () => number;
}

const encode = (secret: string) => new TextEncoder().encode(secret);

/** Where `npm run build:demo` puts the browser demo the lobby serves at `/`. */
export const DEMO_DIR = fileURLToPath(new URL('../client-demo/dist', import.meta.url));

/** Where `npm run build:admin` puts the admin console the lobby serves at `/admin`. */
export const CONSOLE_DIR = fileURLToPath(new URL('../client-admin/dist', import.meta.url));

/** Start the store, the lobby and a game node. */
export async function startTickforge(options: TickforgeOptions): Promise<Tickforge> {
  const { config, log, rooms } = options;
  const now = options.now ?? Date.now;
  const { lobby: settings, dataDir } = config;
  const [seatSecret, accessSecret, serverKey, adminKey] = await Promise.all([
    loadSecret(config.seatSecret, dataDir, 'seat-secret'),
    loadSecret(settings.accessSecret, dataDir, 'access-secret'),
    loadSecret(settings.serverKey, dataDir, 'server-key'),
    loadSecret(settings.adminKey, dataDir, 'admin-key'),
  ]);
  const metrics = new LobbyMetrics({ defaultMetrics: true });
  const store = instrumentStore(
    await openEmbeddedStore({ dataDir, boards: settings.boards, now }),
    metrics,
    now,
  );
  metrics.watchQueues(() => store.tickets.searching(), now);
  const seatTokens = new SeatTokens({ secret: encode(seatSecret), now });
  const modes = modesFrom(rooms, settings);
  const seating = new Seating({
    rooms: store.rooms,
    tokens: seatTokens,
    modes,
    now,
    seatTtlSeconds: settings.seatTtlSeconds,
    roomLimits: settings.roomLimits,
    log: log.child({ component: 'lobby' }),
  });
  const lobbyLog = log.child({ component: 'lobby' });
  let draining = false;
  const app = createLobbyApp({
    store,
    now,
    draining: () => draining,
    partyTokens: createPartyTokens({ secret: encode(accessSecret), now }),
    tokens: createAccessTokens({
      secret: encode(accessSecret),
      now,
      ttlMs: settings.accessTokenTtlSeconds * 1000,
    }),
    log: lobbyLog,
    modes,
    seating,
    ticketTtlMs: settings.ticketTtlMs,
    rateLimits: settings.rateLimits,
    maxBodyBytes: settings.maxBodyBytes,
    metrics,
    admin: {
      boards: settings.boards,
      nodes: createNodeClient(adminKey),
      sessions: new AdminSessions(adminKey, now),
      consoleDir: CONSOLE_DIR,
    },
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    ...(settings.serveDemo ? { demoDir: DEMO_DIR } : {}),
    leaderboardWrites: {
      serverKey,
      adminKey,
      boardsForMode: (mode) => settings.boards.filter((b) => b.mode === mode).map((b) => b.id),
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: settings.port, hostname: config.game.host }, () => resolve(s));
    s.once('error', reject);
  });
  const lobbyPort = (server.address() as AddressInfo).port;
  const lobbyUrl = `http://${urlHost(config.game.host)}:${lobbyPort}`;
  lobbyLog.info({ url: lobbyUrl }, 'lobby listening');

  let node: GameNode;
  try {
    node = await GameNode.start({
      config: config.game,
      log: log.child({ component: 'game' }),
      tokens: seatTokens,
      rooms,
      now,
      directory: store.rooms,
      dataDir,
      sendReport: lobbyReporter({ lobbyUrl: settings.url ?? lobbyUrl, serverKey, now }),
      operatorKeys: [serverKey, adminKey],
      adminKeys: [adminKey],
      ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    });
  } catch (error) {
    await closeServer(server);
    await store.close();
    throw error;
  }
  const matchmaking = new MatchmakingService({ tickets: store.tickets, seating, modes, now, log: lobbyLog });
  matchmaking.start(settings.matchmakingIntervalMs);

  return {
    lobbyUrl,
    lobbyPort,
    node,
    store,
    matchmaking,
    async stop() {
      draining = true;
      await matchmaking.stop();
      await node.stop();
      await closeServer(server);
      await store.close();
      lobbyLog.info('lobby stopped');
    },
  };
}

function closeServer(server: ReturnType<typeof serve>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive and SSE connections would hold close() open.
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
