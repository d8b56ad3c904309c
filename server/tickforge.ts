/**
 * Tickforge as one process of a deployment, by role (server/deployment.ts):
 * - `all` (`npm start`): the store, the lobby and one game node, wired as a deployment would be;
 * - `lobby`: the lobby alone over the shared (Redis) store;
 * - `game`: one game node that heartbeats the shared room directory and reports match results to
 *   the lobbies over HTTP with the server key.
 * `npm start` (server/main.ts), the cluster launcher and the end-to-end tests all start it here.
 */
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { GameNode } from './game/game-node.ts';
import { failoverSender } from './game/match-failover.ts';
import { lobbyReporter } from './game/match-reporter.ts';
import type { AnyRoomDefinition } from './game/room.ts';
import type { MatchmakingService } from './lobby/matchmaking/service.ts';
import {
  type LobbyServer,
  loadNodeSecrets,
  loadSecrets,
  type NodeSecrets,
  seatTokensFor,
  startLobbyServer,
} from './lobby-server.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/types.ts';

export { CONSOLE_DIR, DEMO_DIR } from './lobby-server.ts';

/** Connection faults of a shared store are logged at most once per this many ms (with a count). */
const STORE_FAULT_LOG_INTERVAL_MS = 10_000;

/** A running Tickforge of role `all`. */
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

/** A running process of any role. */
export interface TickforgeProcess {
  /** The lobby's base URL when this process serves one. */
  readonly lobbyUrl: string | undefined;
  /** The game node when this process runs one. */
  readonly node: GameNode | undefined;
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

/** Start the process `config.deployment.role` names. */
export async function startRole(options: TickforgeOptions): Promise<TickforgeProcess> {
  const { role } = options.config.deployment;
  if (role === 'all') {
    const all = await startTickforge(options);
    return { lobbyUrl: all.lobbyUrl, node: all.node, stop: () => all.stop() };
  }
  const now = options.now ?? Date.now;
  return role === 'lobby' ? startLobbyRole(options, now) : startGameRole(options, now);
}

/** A lobby alone over the shared store. */
async function startLobbyRole(options: TickforgeOptions, now: () => number): Promise<TickforgeProcess> {
  const secrets = await loadSecrets(options.config);
  const store = await openConfiguredStore(options, now);
  try {
    const lobby = await startLobbyServer({ ...options, store, secrets, now, log: lobbyLog(options.log) });
    return {
      lobbyUrl: lobby.url,
      node: undefined,
      async stop() {
        await lobby.drain();
        await lobby.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** A game node alone on the shared room directory, reporting to the configured lobbies. */
async function startGameRole(options: TickforgeOptions, now: () => number): Promise<TickforgeProcess> {
  const secrets = await loadNodeSecrets(options.config);
  const store = await openConfiguredStore(options, now);
  try {
    const node = await startNode(options, store, secrets, now, options.config.deployment.lobbyUrls);
    return {
      lobbyUrl: undefined,
      node,
      async stop() {
        await node.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Start the store, the lobby and a game node in this process (role `all`). */
export async function startTickforge(options: TickforgeOptions): Promise<Tickforge> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const secrets = await loadSecrets(config);
  const store = await openConfiguredStore(options, now);
  let lobby: LobbyServer;
  try {
    lobby = await startLobbyServer({ ...options, store, secrets, now, log: lobbyLog(log) });
  } catch (error) {
    await store.close();
    throw error;
  }
  const { lobbyUrls } = config.deployment;
  let node: GameNode;
  try {
    node = await startNode(options, store, secrets, now, lobbyUrls.length > 0 ? lobbyUrls : [lobby.url]);
  } catch (error) {
    await lobby.drain();
    await lobby.close();
    await store.close();
    throw error;
  }
  return {
    lobbyUrl: lobby.url,
    lobbyPort: lobby.port,
    node,
    store,
    matchmaking: lobby.matchmaking,
    async stop() {
      await lobby.drain();
      await node.stop();
      await lobby.close();
      await store.close();
      log.info({ component: 'lobby' }, 'lobby stopped');
    },
  };
}

function lobbyLog(log: Logger): Logger {
  return log.child({ component: 'lobby' });
}

function openConfiguredStore(options: TickforgeOptions, now: () => number): Promise<Store> {
  const { config, log } = options;
  const storeLog = log.child({ component: 'store' });
  // A connection retried through an outage fails on every attempt: one line per interval says so.
  let loggedAt = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return openStore({
    setting: config.deployment.store,
    dataDir: config.dataDir,
    boards: config.lobby.boards,
    now,
    // A shared store keeps Redis's time unless a test injected its own clock.
    clock: options.now === undefined ? 'redis' : 'local',
    onError: (err) => {
      if (now() - loggedAt < STORE_FAULT_LOG_INTERVAL_MS) {
        unlogged++;
        return;
      }
      storeLog.warn({ err, unloggedFaults: unlogged }, 'store connection fault (reconnecting)');
      loggedAt = now();
      unlogged = 0;
    },
  });
}

/** A game node on the store's room directory, reporting to `lobbyUrls` (the next one after a failure). */
function startNode(
  options: TickforgeOptions,
  store: Store,
  secrets: NodeSecrets,
  now: () => number,
  lobbyUrls: readonly string[],
): Promise<GameNode> {
  const { config, log, rooms } = options;
  const { serverKey, adminKey } = secrets;
  return GameNode.start({
    config: config.game,
    log: log.child({ component: 'game' }),
    tokens: seatTokensFor(secrets, now),
    rooms,
    now,
    directory: store.rooms,
    heartbeatMs: config.deployment.heartbeatMs,
    dataDir: config.dataDir,
    sendReport: failoverSender(lobbyUrls.map((lobbyUrl) => lobbyReporter({ lobbyUrl, serverKey, now }))),
    operatorKeys: adminKey === undefined ? [serverKey] : [serverKey, adminKey],
    // The lobby's admin API reads and acts on the node through its /admin/* routes (admin key only).
    adminKeys: adminKey === undefined ? [] : [adminKey],
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
  });
}
