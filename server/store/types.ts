/**
 * The lobby's storage seams. Everything is async and speaks in values, not queries, so the embedded
 * implementation (node:sqlite) and a Redis one (hashes + sorted sets) pass one contract suite
 * (store.contract.ts). Time always comes from the injected clock, never from the caller.
 */

import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RoomDirectory } from './rooms.ts';
import type { TicketStore } from './tickets.ts';

/** A guest account. */
export interface Player {
  readonly id: string;
  readonly name: string;
  /** Wall-clock milliseconds (UTC). */
  readonly createdAt: number;
}

/** Guest accounts: created by the lobby's auth route, read on every authenticated request. */
export interface PlayerStore {
  /** Create a guest with a fresh, unguessable id. */
  createGuest(name: string): Promise<Player>;
  get(id: string): Promise<Player | undefined>;
  /** Change the display name; leaderboards pick it up with the player's next accepted submission. */
  rename(id: string, name: string): Promise<Player | undefined>;
  /**
   * Players whose name starts with `prefix`, ignoring case (Unicode lower case), at most `limit`
   * (1-20, default 20), ordered by lower-cased name then id: exact matches come first.
   */
  findByName(prefix: string, limit?: number): Promise<Player[]>;
}

/** Which way is better: `desc` = higher scores rank first (points), `asc` = lower first (race times). */
export const BOARD_SORTS = ['desc', 'asc'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];

/** `best` keeps the better score, `set` overwrites, `increment` adds the submitted score. */
export const BOARD_OPERATORS = ['best', 'set', 'increment'] as const;
export type BoardOperator = (typeof BOARD_OPERATORS)[number];

/** When a board starts over, by UTC calendar; weekly periods are ISO weeks (Monday 00:00 UTC). */
export const BOARD_RESETS = ['never', 'daily', 'weekly', 'monthly'] as const;
export type BoardReset = (typeof BOARD_RESETS)[number];

/** A leaderboard as configured at start-up. */
export interface BoardConfig {
  /** 1-64 of `A-Z a-z 0-9 _ -`, starting with a letter or digit. */
  readonly id: string;
  readonly sort: BoardSort;
  readonly operator: BoardOperator;
  readonly reset: BoardReset;
}

/** One score report from a game node (or an admin). */
export interface ScoreSubmission {
  readonly boardId: string;
  readonly playerId: string;
  /** Display name shown on the board; stored with the score it came with. */
  readonly name: string;
  /** A finite number; for `increment` boards, the amount to add (may be negative). */
  readonly score: number;
  /**
   * Idempotency key, unique per board (e.g. `matchId:playerId`): a second submission with the same
   * key is ignored, whatever its score, so a retried match report never counts twice.
   */
  readonly key: string;
}

/** What a submission did: `unchanged` = not better than the player's best; `duplicate` = key seen before. */
export type SubmitOutcome = 'applied' | 'unchanged' | 'duplicate';

/** The result of a submission, with the player's score in that period afterwards. */
export interface SubmitResult {
  readonly outcome: SubmitOutcome;
  /** The period the key was first submitted in (e.g. `2026-W47`). */
  readonly period: string;
  readonly score: number;
}

/** One line of a leaderboard. */
export interface LeaderboardRecord {
  readonly playerId: string;
  readonly name: string;
  readonly score: number;
  /** 1-based and unique: ties are broken by `updatedAt` (earlier first), then by player id. */
  readonly rank: number;
  /** When the current score was submitted (for `best`: first reached), wall-clock ms. */
  readonly updatedAt: number;
}

/** Records of one period of a board: `all`, `2026-11-22`, `2026-W47` (ISO week) or `2026-11`. */
export interface LeaderboardWindow {
  readonly period: string;
  readonly records: readonly LeaderboardRecord[];
}

/** A page of `top`; pass `nextCursor` back for the next page (undefined on the last page). */
export interface LeaderboardPage extends LeaderboardWindow {
  readonly nextCursor: string | undefined;
}

/** Paging of `top`. `limit` is 1-100 (default 10); the cursor keeps reading the period it came from. */
export interface PageOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

/** Size of an `around` window, 1-100 (default 10). */
export interface WindowOptions {
  readonly limit?: number;
}

/**
 * Leaderboards, read for the board's current period (from the injected clock). Earlier periods stay
 * stored. Writes come only from game nodes and admins: the lobby never exposes `submit` to clients.
 */
export interface LeaderboardStore {
  /** Apply a score by the board's operator, atomically, at most once per (board, key). */
  submit(submission: ScoreSubmission): Promise<SubmitResult>;
  /**
   * Apply every submission or none (a match report: each result on each board). All are checked
   * first, so one unknown board or bad argument writes nothing; then all are applied in order in one
   * atomic step, each at most once per (board, key) as `submit` does, and a failure while applying
   * (an increment overflowing) undoes the whole batch. Results come in the submissions' order; a
   * replayed batch is all `duplicate`.
   */
  submitAll(submissions: readonly ScoreSubmission[]): Promise<SubmitResult[]>;
  /** The best records first, in pages. */
  top(boardId: string, options?: PageOptions): Promise<LeaderboardPage>;
  /**
   * Up to `limit` records centred on the player; shifted to stay full at the top and the bottom of
   * the board. Empty when the player has no record this period.
   */
  around(boardId: string, playerId: string, options?: WindowOptions): Promise<LeaderboardWindow>;
  /** The player's record this period, with its rank, or undefined. */
  rank(boardId: string, playerId: string): Promise<LeaderboardRecord | undefined>;
  /**
   * An operator's correction: delete the player's record of the board's current period; true if
   * there was one. Its submission keys stay claimed, so a replayed report is still `duplicate`
   * (with score 0 while the player has no record) and never brings the record back.
   */
  remove(boardId: string, playerId: string): Promise<boolean>;
  /**
   * Start the board's current period over: every record of it is deleted (earlier periods stay);
   * returns how many. Submission keys stay claimed, as for `remove`.
   */
  resetPeriod(boardId: string): Promise<number>;
}

/** An open store: one per process, closed on shutdown. */
export interface Store {
  readonly players: PlayerStore;
  readonly leaderboards: LeaderboardStore;
  /** Game nodes, their rooms and promised seats. */
  readonly rooms: RoomDirectory;
  /** Matchmaking tickets. */
  readonly tickets: TicketStore;
  /**
   * Request budgets counted for every process on the store (Redis); absent, each lobby counts
   * its own in memory, which is right when there is one.
   */
  readonly budgets?: SharedBudgets;
  /**
   * True when a write the store has answered is already on disk: the embedded store (a SQLite
   * commit), Redis found with `appendonly yes` and `appendfsync always` when the store opened. False
   * otherwise (Redis on `everysec` answers up to about two seconds before its fsync); the lobby says
   * so in its answer to a match report, and the game node then confirms the report after a window.
   */
  readonly durable: boolean;
  close(): Promise<void>;
}

/** Request budgets kept in the store, so every lobby spends from the same ones. */
export interface SharedBudgets {
  /** A limiter of `perMinute` requests per key in one-minute windows, its keys named by `scope`. */
  limiter(scope: string, perMinute: number): RateLimiterAbstract;
}

/** What every store implementation is opened with. */
export interface StoreOptions {
  readonly boards: readonly BoardConfig[];
  /** Wall-clock milliseconds; injectable so reset tests need no sleeping. */
  readonly now: () => number;
}
