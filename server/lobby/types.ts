/**
 * What the lobby app is built from. Everything is passed in (store, clock, tokens, logger), so
 * tests and the process entry point assemble it the same way and no module holds a singleton.
 */
import type { Logger } from 'pino';
import type { Player, Store } from '../store/types.ts';
import type { AccessTokens } from './tokens.ts';

/** The lobby's dependencies and settings. */
export interface LobbyDeps {
  readonly store: Store;
  /** Wall-clock milliseconds: the clock `tokens` was built with, for routes that need time. */
  readonly now: () => number;
  readonly tokens: AccessTokens;
  readonly log: Logger;
  /** Largest accepted request body in bytes (default 16 KiB). */
  readonly maxBodyBytes?: number;
}

/** Hono environment of every lobby route: what middleware leaves for handlers. */
export interface LobbyEnv {
  Variables: {
    /** The authenticated player, set by the auth middleware. */
    player: Player;
  };
}
