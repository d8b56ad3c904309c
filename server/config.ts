/**
 * Environment -> one validated, typed configuration object, read once at start-up.
 * A bad value stops the process with a message naming the variable (ConfigError).
 */

import { BEARER_CHARS, isBearerToken } from './bearer.ts';
import { type DeploymentConfig, defaultNodeId, loadDeploymentConfig } from './deployment.ts';
import { ConfigError, type Env, reader } from './env-reader.ts';
import { type LobbyConfig, loadLobbyConfig } from './lobby/config.ts';

export { ConfigError } from './env-reader.ts';

export type TransportPreference = 'auto' | 'uws' | 'ws';

/** Settings of one game node. */
export interface GameConfig {
  readonly host: string;
  readonly port: number;
  /** Node identity; seat tokens are bound to it. */
  readonly nodeId: string;
  /** The ws(s) URL clients are given for this node. Derived from host/port/TLS when not set. */
  readonly publicUrl: string | undefined;
  /**
   * The http(s) base URL the lobby reaches this node's operator routes at (TICKFORGE_INTERNAL_URL),
   * announced in its heartbeat. Derived from host/port/TLS when not set.
   */
  readonly internalUrl?: string;
  readonly transport: TransportPreference;
  readonly tls:
    | { readonly keyFile: string; readonly certFile: string; readonly passphrase?: string }
    | undefined;
  /** Browser Origins allowed to open a game socket: exact origins, `scheme://host:*`, or `*`. */
  readonly allowedOrigins: readonly string[];
  /** Serve POST /dev/seats, which mints seat tokens in `dev-` rooms without a lobby (off unless set). */
  readonly devSeats: boolean;
  readonly defaultTickRate: number;
  readonly maxRooms: number;
  readonly maxPayloadBytes: number;
  readonly maxInputsPerSecond: number;
  readonly maxInputsPerTick: number;
  readonly reconnectGraceMs: number;
  readonly emptyRoomTtlMs: number;
  readonly idleTimeoutSeconds: number;
  /** Past this many buffered bytes a client skips ticks. */
  readonly slowClientBufferBytes: number;
  /** Past this many buffered bytes, or this long without a frame, a client is closed (4008). */
  readonly slowClientCloseBytes: number;
  readonly slowClientTimeoutMs: number;
  readonly snapshotHistoryTicks: number;
  readonly shutdownTimeoutMs: number;
  /**
   * Undelivered match reports above which the node warns that the lobby is not keeping up. A soft
   * cap: reports beyond it are still written to the outbox, never dropped.
   */
  readonly outboxWarnPending: number;
  /**
   * How long an acknowledged match report stays in the outbox, when the lobby's store does not say
   * it is on disk (Redis on appendfsync everysec), before the one confirmation send (ms); 0: never
   * confirm, forget reports on any acknowledgement.
   */
  readonly matchConfirmMs: number;
}

/** The whole process's settings. */
export interface Config {
  readonly dataDir: string;
  /** HMAC secret for seat tokens; when unset one is generated and kept in the data dir. */
  readonly seatSecret: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Bearer token GET /metrics needs on the lobby and the game node (TICKFORGE_METRICS_TOKEN); open when unset. */
  readonly metricsToken?: string;
  readonly game: GameConfig;
  readonly lobby: LobbyConfig;
  /** Role, store and the way to the lobby (server/deployment.ts). */
  readonly deployment: DeploymentConfig;
}

/** Read and validate the configuration from an environment (process.env by default). */
export function loadConfig(env: Env = process.env): Config {
  const read = reader(env);
  const deployment = loadDeploymentConfig(read);
  const keyFile = read.string('TICKFORGE_TLS_KEY', '');
  const certFile = read.string('TICKFORGE_TLS_CERT', '');
  if (Boolean(keyFile) !== Boolean(certFile)) {
    throw new ConfigError('TICKFORGE_TLS_KEY and TICKFORGE_TLS_CERT must be set together');
  }
  const passphrase = read.string('TICKFORGE_TLS_PASSPHRASE', '');
  const port = read.int('TICKFORGE_GAME_PORT', 2567, 0, 65535);
  const host = read.string('TICKFORGE_HOST', '127.0.0.1');
  const seatSecret = read.string('TICKFORGE_SEAT_SECRET', '');
  if (seatSecret && seatSecret.length < 32) {
    throw new ConfigError('TICKFORGE_SEAT_SECRET must be at least 32 characters');
  }
  const publicUrl = read.string('TICKFORGE_PUBLIC_URL', '');
  if (publicUrl && !/^wss?:\/\/[^\s]+$/.test(publicUrl)) {
    throw new ConfigError(`TICKFORGE_PUBLIC_URL must be a ws:// or wss:// URL, got "${publicUrl}"`);
  }
  const internalUrl = read.string('TICKFORGE_INTERNAL_URL', '');
  if (internalUrl && !/^https?:\/\/[^\s]+$/.test(internalUrl)) {
    throw new ConfigError(`TICKFORGE_INTERNAL_URL must be an http:// or https:// URL, got "${internalUrl}"`);
  }
  const slowClientBufferBytes = read.int('TICKFORGE_SLOW_CLIENT_BUFFER_BYTES', 64 * 1024, 1024, 2 ** 30);
  const slowClientCloseBytes = read.int('TICKFORGE_SLOW_CLIENT_CLOSE_BYTES', 1024 * 1024, 1024, 2 ** 30);
  if (slowClientCloseBytes < slowClientBufferBytes) {
    throw new ConfigError('TICKFORGE_SLOW_CLIENT_CLOSE_BYTES must be >= TICKFORGE_SLOW_CLIENT_BUFFER_BYTES');
  }
  const metricsToken = read.string('TICKFORGE_METRICS_TOKEN', '');
  if (metricsToken && metricsToken.length < 16) {
    throw new ConfigError('TICKFORGE_METRICS_TOKEN must be at least 16 characters');
  }
  if (metricsToken && !isBearerToken(metricsToken)) {
    throw new ConfigError(`TICKFORGE_METRICS_TOKEN must be usable as a Bearer credential: ${BEARER_CHARS}`);
  }
  return {
    dataDir: read.string('TICKFORGE_DATA_DIR', 'data'),
    ...(metricsToken ? { metricsToken } : {}),
    seatSecret: seatSecret || undefined,
    logLevel: read.oneOf(
      'TICKFORGE_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
    game: {
      host,
      port,
      nodeId: read.string('TICKFORGE_NODE_ID', defaultNodeId(deployment)),
      publicUrl: publicUrl || undefined,
      ...(internalUrl ? { internalUrl } : {}),
      transport: read.oneOf('TICKFORGE_TRANSPORT', ['auto', 'uws', 'ws'], 'auto'),
      tls: keyFile ? { keyFile, certFile, ...(passphrase ? { passphrase } : {}) } : undefined,
      allowedOrigins: read.list('TICKFORGE_ALLOWED_ORIGINS', ['http://localhost:*', 'http://127.0.0.1:*']),
      // Anyone who reaches /dev/seats gets seats without a lobby: only ever on when asked for.
      devSeats: read.bool('TICKFORGE_DEV_SEATS', false),
      defaultTickRate: read.int('TICKFORGE_TICK_RATE', 20, 1, 240),
      maxRooms: read.int('TICKFORGE_MAX_ROOMS', 1000, 1, 1_000_000),
      maxPayloadBytes: read.int('TICKFORGE_MAX_PAYLOAD_BYTES', 4096, 64, 16 * 1024 * 1024),
      maxInputsPerSecond: read.int('TICKFORGE_MAX_INPUTS_PER_SECOND', 60, 1, 10_000),
      maxInputsPerTick: read.int('TICKFORGE_MAX_INPUTS_PER_TICK', 4, 1, 1000),
      reconnectGraceMs: read.int('TICKFORGE_RECONNECT_GRACE_MS', 10_000, 0, 3_600_000),
      emptyRoomTtlMs: read.int('TICKFORGE_EMPTY_ROOM_TTL_MS', 30_000, 0, 86_400_000),
      idleTimeoutSeconds: read.int('TICKFORGE_IDLE_TIMEOUT_S', 32, 8, 960),
      slowClientBufferBytes,
      slowClientCloseBytes,
      slowClientTimeoutMs: read.int('TICKFORGE_SLOW_CLIENT_TIMEOUT_MS', 5_000, 100, 600_000),
      snapshotHistoryTicks: read.int('TICKFORGE_SNAPSHOT_HISTORY', 10, 2, 1024),
      shutdownTimeoutMs: read.int('TICKFORGE_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
      outboxWarnPending: read.int('TICKFORGE_MATCH_OUTBOX_WARN_PENDING', 10_000, 1, 100_000_000),
      matchConfirmMs: read.int('TICKFORGE_MATCH_CONFIRM_MS', 3_000, 0, 600_000),
    },
    lobby: loadLobbyConfig(read),
    deployment,
  };
}
