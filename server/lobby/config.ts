/**
 * The lobby's settings from the environment (see the README's configuration table): its port,
 * secrets and keys, seats, matchmaking, request limits, leaderboards and per-mode room options.
 */

import { BEARER_CHARS, isBearerToken } from '../bearer.ts';
import { ConfigError, type EnvReader } from '../env-reader.ts';
import { BOARD_OPERATORS, BOARD_RESETS, BOARD_SORTS, type BoardConfig } from '../store/types.ts';
import type { RateLimits } from './rate-limit.ts';
import type { RoomLimits } from './seating.ts';

/** A leaderboard and the mode whose match results it counts. */
export interface BoardSetting extends BoardConfig {
  readonly mode: string;
}

/** Settings of the lobby. */
export interface LobbyConfig {
  readonly port: number;
  /** HMAC secret of player access tokens; generated into the data dir when unset. */
  readonly accessSecret: string | undefined;
  /** The game nodes' key for POST /v1/matches; generated into the data dir when unset. */
  readonly serverKey: string | undefined;
  /** The operators' key for manual score writes; generated into the data dir when unset. */
  readonly adminKey: string | undefined;
  readonly accessTokenTtlSeconds: number;
  readonly seatTtlSeconds: number;
  readonly ticketTtlMs: number;
  readonly matchmakingIntervalMs: number;
  /**
   * How long a lobby holds a matchmaking queue after a pass renewed its lease: what other lobbies
   * wait to take over the queues of one that died (a pass renews it while it runs).
   */
  readonly matchmakingLeaseMs: number;
  /** Overrides every mode's own fill wait when set. */
  readonly fillWaitMs: number | undefined;
  readonly skill: {
    readonly initialWindow: number;
    readonly widenPerSecond: number;
    readonly maxWindow: number;
  };
  readonly maxBodyBytes: number;
  readonly rateLimits: RateLimits;
  /** Live rooms one player, and one client IP, may have created at once (0: no cap). */
  readonly roomLimits: RoomLimits;
  readonly boards: readonly BoardSetting[];
  /** Options every room of a mode is created with, by mode. */
  readonly roomOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Serve the browser demo at / (from client-demo/dist). */
  readonly serveDemo: boolean;
}

/** The default boards: best score per match ever, and points summed per ISO week. */
export const DEFAULT_BOARDS = 'arena:arena:desc:best:never,arena-weekly:arena:desc:increment:weekly';

/** Read the lobby's settings (it listens on the same TICKFORGE_HOST as the game node). */
export function loadLobbyConfig(read: EnvReader): LobbyConfig {
  const secret = (name: string): string | undefined => {
    const value = read.string(name, '');
    if (value && value.length < 32) throw new ConfigError(`${name} must be at least 32 characters`);
    if (value && name !== 'TICKFORGE_ACCESS_SECRET' && !isBearerToken(value)) {
      throw new ConfigError(`${name} must be usable as a Bearer credential: ${BEARER_CHARS}`);
    }
    return value || undefined;
  };
  return {
    port: read.int('TICKFORGE_LOBBY_PORT', 2568, 0, 65535),
    accessSecret: secret('TICKFORGE_ACCESS_SECRET'),
    serverKey: secret('TICKFORGE_SERVER_KEY'),
    adminKey: secret('TICKFORGE_ADMIN_KEY'),
    accessTokenTtlSeconds: read.int('TICKFORGE_ACCESS_TOKEN_TTL_S', 86_400, 60, 31 * 86_400),
    seatTtlSeconds: read.int('TICKFORGE_SEAT_TTL_S', 30, 5, 300),
    ticketTtlMs: read.int('TICKFORGE_TICKET_TTL_MS', 60_000, 1000, 3_600_000),
    matchmakingIntervalMs: read.int('TICKFORGE_MATCHMAKING_INTERVAL_MS', 250, 10, 60_000),
    matchmakingLeaseMs: read.int('TICKFORGE_MATCHMAKING_LEASE_MS', 3000, 100, 600_000),
    fillWaitMs: read.has('TICKFORGE_MATCH_FILL_WAIT_MS')
      ? read.int('TICKFORGE_MATCH_FILL_WAIT_MS', 0, 0, 3_600_000)
      : undefined,
    skill: {
      initialWindow: read.int('TICKFORGE_SKILL_WINDOW', 100, 0, 1_000_000),
      widenPerSecond: read.int('TICKFORGE_SKILL_WIDEN_PER_S', 25, 0, 1_000_000),
      maxWindow: read.int('TICKFORGE_SKILL_MAX_WINDOW', 1000, 0, 1_000_000),
    },
    maxBodyBytes: read.int('TICKFORGE_MAX_BODY_BYTES', 16 * 1024, 256, 1024 * 1024),
    rateLimits: {
      ipPerMinute: read.int('TICKFORGE_RATE_LIMIT_IP_PER_MIN', 1200, 0, 10_000_000),
      playerPerMinute: read.int('TICKFORGE_RATE_LIMIT_PLAYER_PER_MIN', 600, 0, 10_000_000),
      guestPerMinute: read.int('TICKFORGE_RATE_LIMIT_GUEST_PER_MIN', 60, 0, 10_000_000),
      trustProxy: read.bool('TICKFORGE_TRUST_PROXY', false),
    },
    roomLimits: {
      perPlayer: read.int('TICKFORGE_MAX_ROOMS_PER_PLAYER', 3, 0, 1_000_000),
      perAddress: read.int('TICKFORGE_MAX_ROOMS_PER_IP', 100, 0, 1_000_000),
    },
    boards: parseBoards(read.string('TICKFORGE_LEADERBOARDS', DEFAULT_BOARDS)),
    roomOptions: parseRoomOptions(read.string('TICKFORGE_ROOM_OPTIONS', '{}')),
    serveDemo: read.bool('TICKFORGE_SERVE_DEMO', true),
  };
}

/** `id:mode:sort:operator:reset`, comma-separated. */
function parseBoards(value: string): BoardSetting[] {
  const name = 'TICKFORGE_LEADERBOARDS';
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((spec) => {
      const [id, mode, sort, operator, reset, ...rest] = spec.split(':');
      const pick = <T extends string>(field: string, v: string | undefined, allowed: readonly T[]): T => {
        if (!allowed.includes(v as T)) {
          throw new ConfigError(`${name}: "${spec}": ${field} must be one of ${allowed.join(', ')}`);
        }
        return v as T;
      };
      if (!id || !mode || rest.length > 0) {
        throw new ConfigError(`${name}: "${spec}" must be id:mode:sort:operator:reset`);
      }
      return {
        id,
        mode,
        sort: pick('sort', sort, BOARD_SORTS),
        operator: pick('operator', operator, BOARD_OPERATORS),
        reset: pick('reset', reset, BOARD_RESETS),
      };
    });
}

/** A JSON object of objects: `{"arena":{"matchSeconds":60}}`. */
function parseRoomOptions(value: string): Record<string, Record<string, unknown>> {
  const name = 'TICKFORGE_ROOM_OPTIONS';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(`${name} must be JSON, e.g. {"arena":{"matchSeconds":60}}`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(parsed) || !Object.values(parsed).every(isObject)) {
    throw new ConfigError(`${name} must be an object of objects by mode, e.g. {"arena":{"matchSeconds":60}}`);
  }
  return parsed as Record<string, Record<string, unknown>>;
}
