import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type BoardRegistry, nextScore } from '../boards.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { BoardConfigError } from '../errors.ts';
import { checkLimit, checkScore, checkSubmission, checkText, MAX_ID_LENGTH } from '../input.ts';
import { clockTime, periodKey } from '../period.ts';
import type {
  BoardConfig,
  BoardSort,
  LeaderboardPage,
  LeaderboardRecord,
  LeaderboardStore,
  LeaderboardWindow,
  PageOptions,
  ScoreSubmission,
  SubmitResult,
  WindowOptions,
} from '../types.ts';
import { type RankedRow, RankIndex } from './rank-index.ts';
import { transaction } from './sqlite.ts';

type Row = Record<string, unknown>;

/** A record row a batch wrote, to bring the in-memory index in step once it commits. */
interface Written {
  readonly boardId: string;
  readonly period: string;
  readonly row: RankedRow;
}

/** Cached first pages at most, across boards. */
const MAX_CACHED_PAGES = 1024;
/** Windows kept per board (about 2 KiB each with their JSON); all dropped when full. */
const MAX_CACHED_WINDOWS = 4096;
const SORT_KEY = '(rank_score, updated_at, player_id)';

const COLUMNS = 'player_id, name, score, rank_score, updated_at';
const BETTER_FIRST = 'ORDER BY rank_score, updated_at, player_id';
const IN_PERIOD = 'FROM leaderboard_records WHERE board = ? AND period = ?';

/** Smaller is better on every board (see the schema), so desc boards store the score negated. */
const rankScore = (sort: BoardSort, score: number): number => (sort === 'desc' ? -score : score);

const toRecord = (row: RankedRow, rank: number): LeaderboardRecord => ({
  playerId: row.playerId,
  name: row.name,
  score: row.score,
  rank,
  updatedAt: row.updatedAt,
});

const rankedRow = (row: Row): RankedRow => ({
  rankScore: row.rank_score as number,
  updatedAt: row.updated_at as number,
  playerId: row.player_id as string,
  name: row.name as string,
  score: row.score as number,
});

/**
 * Leaderboards in node:sqlite: one row per (board, period, player). Reads are served from an
 * in-memory RankIndex of the board period, rebuilt from SQLite on first use.
 */
export class EmbeddedLeaderboards implements LeaderboardStore {
  readonly #db: DatabaseSync;
  readonly #boards: BoardRegistry;
  readonly #now: () => number;
  readonly #claimKey: StatementSync;
  readonly #keyOwner: StatementSync;
  readonly #record: StatementSync;
  readonly #write: StatementSync;
  /**
   * First pages by board, period and limit: the hot read (top-10) is then a map lookup. A board's
   * pages are dropped whenever one of its scores changes, so a cached page is never stale.
   */
  readonly #firstPages = new Map<string, LeaderboardPage>();
  /**
   * Windows around players, per board, by period, first position and limit: every player whose
   * window starts at the same position reads the same one. Dropped with the board's pages.
   */
  readonly #windows = new Map<string, Map<string, LeaderboardWindow>>();
  /**
   * Each board's current period in memory (loaded on its first read, updated by every applied
   * write, replaced when the period turns). Earlier periods, reached only through a page cursor,
   * are read from SQLite, so no request can make the lobby load or hold more than one per board.
   */
  readonly #ranks = new Map<string, { readonly period: string; readonly index: RankIndex }>();
  readonly #periodRows: StatementSync;
  readonly #pastAfter: StatementSync;
  readonly #pastCountBefore: StatementSync;
  readonly #delete: StatementSync;
  readonly #deletePeriod: StatementSync;

  constructor(db: DatabaseSync, boards: BoardRegistry, now: () => number) {
    this.#db = db;
    this.#boards = boards;
    this.#now = now;
    pinSortOrders(db, boards.all());
    this.#claimKey = db.prepare(
      `INSERT INTO leaderboard_submissions (board, key, period, player_id, submitted_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#keyOwner = db.prepare(
      'SELECT period, player_id FROM leaderboard_submissions WHERE board = ? AND key = ?',
    );
    this.#record = db.prepare(`SELECT ${COLUMNS} ${IN_PERIOD} AND player_id = ?`);
    this.#write = db.prepare(
      `INSERT INTO leaderboard_records (board, period, player_id, name, score, rank_score, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (board, period, player_id) DO UPDATE SET
         name = excluded.name, score = excluded.score,
         rank_score = excluded.rank_score, updated_at = excluded.updated_at`,
    );
    this.#periodRows = db.prepare(`SELECT ${COLUMNS} ${IN_PERIOD} ${BETTER_FIRST}`);
    this.#pastAfter = db.prepare(
      `SELECT ${COLUMNS} ${IN_PERIOD} AND ${SORT_KEY} > (?, ?, ?) ${BETTER_FIRST} LIMIT ?`,
    );
    this.#pastCountBefore = db.prepare(`SELECT COUNT(*) AS n ${IN_PERIOD} AND ${SORT_KEY} <= (?, ?, ?)`);
    this.#delete = db.prepare(
      'DELETE FROM leaderboard_records WHERE board = ? AND period = ? AND player_id = ?',
    );
    this.#deletePeriod = db.prepare('DELETE FROM leaderboard_records WHERE board = ? AND period = ?');
  }

  async submit(submission: ScoreSubmission): Promise<SubmitResult> {
    const [result] = await this.submitAll([submission]);
    return result!;
  }

  async submitAll(submissions: readonly ScoreSubmission[]): Promise<SubmitResult[]> {
    // Everything checked before the first write: one bad submission refuses the whole batch.
    const checked = submissions.map((s) => ({ board: this.#boards.get(s.boardId), ...checkSubmission(s) }));
    if (checked.length === 0) return [];
    const at = clockTime(this.#now);
    const written: Written[] = [];
    // One transaction: an overflow half-way rolls back every claimed key and record before it.
    const results = transaction(this.#db, () => checked.map((s) => this.#apply(s, at, written)));
    // Committed: bring the in-memory views in step, in write order (a player may appear twice).
    for (const { boardId, period, row } of written) {
      this.#forgetPages(boardId);
      const current = this.#ranks.get(boardId);
      if (current?.period === period) current.index.upsert(row);
    }
    return results;
  }

  /** One checked submission inside the caller's transaction; rows it wrote are added to `written`. */
  #apply(submission: ScoreSubmission & { board: BoardConfig }, at: number, written: Written[]): SubmitResult {
    const { board, playerId, name, score, key } = submission;
    const period = periodKey(board.reset, at);
    if (this.#claimKey.run(board.id, key, period, playerId, at).changes === 0) {
      const owner = this.#keyOwner.get(board.id, key)!;
      const prior = owner.period as string;
      // A key is claimed once its player has a record in that period (applied or unchanged); an
      // operator may have removed the record since, and the key still counts as used.
      const record = this.#record.get(board.id, prior, owner.player_id as string);
      return { outcome: 'duplicate', period: prior, score: (record?.score as number | undefined) ?? 0 };
    }
    const current = this.#record.get(board.id, period, playerId)?.score as number | undefined;
    const next = nextScore(board, current, score);
    if (next === undefined) return { outcome: 'unchanged', period, score: current! };
    // An increment can overflow to Infinity; throwing here rolls back the whole batch.
    checkScore(next);
    const row = { rankScore: rankScore(board.sort, next), updatedAt: at, playerId, name, score: next };
    this.#write.run(board.id, period, playerId, name, next, row.rankScore, at);
    written.push({ boardId: board.id, period, row });
    return { outcome: 'applied', period, score: next };
  }

  async top(boardId: string, options: PageOptions = {}): Promise<LeaderboardPage> {
    const board = this.#boards.get(boardId);
    const limit = checkLimit(options.limit);
    const from = options.cursor === undefined ? undefined : decodeCursor(options.cursor, board.id);
    const period = from?.period ?? this.#currentPeriod(board);
    const cacheKey = from ? undefined : `${board.id}\n${period}\n${limit}`;
    const cached = cacheKey && this.#firstPages.get(cacheKey);
    if (cached) return cached;
    const after = from && {
      rankScore: rankScore(board.sort, from.score),
      updatedAt: from.updatedAt,
      playerId: from.playerId,
    };
    // One extra row tells whether another page exists, so the last page never has a cursor.
    let start: number;
    let rows: RankedRow[];
    if (period === this.#currentPeriod(board)) {
      const index = this.#rankIndex(board);
      start = after ? index.countUpTo(after) : 0;
      rows = index.slice(start, start + limit + 1);
    } else {
      const key = [after?.rankScore ?? -Infinity, after?.updatedAt ?? 0, after?.playerId ?? ''] as const;
      start = this.#pastCountBefore.get(board.id, period, ...key)!.n as number;
      rows = this.#pastAfter.all(board.id, period, ...key, limit + 1).map(rankedRow);
    }
    const records = rows.slice(0, limit).map((row, i) => toRecord(row, start + 1 + i));
    const last = records.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor({
            boardId: board.id,
            period,
            score: last.score,
            updatedAt: last.updatedAt,
            playerId: last.playerId,
          })
        : undefined;
    const result: LeaderboardPage = Object.freeze({ period, records: Object.freeze(records), nextCursor });
    if (cacheKey) {
      // Bounded: limits 1-100 per board and period; old periods' pages go with the next clear.
      if (this.#firstPages.size >= MAX_CACHED_PAGES) this.#firstPages.clear();
      this.#firstPages.set(cacheKey, result);
    }
    return result;
  }

  async around(boardId: string, playerId: string, options: WindowOptions = {}): Promise<LeaderboardWindow> {
    const board = this.#boards.get(boardId);
    checkText('playerId', playerId, MAX_ID_LENGTH);
    const limit = checkLimit(options.limit);
    const period = this.#currentPeriod(board);
    const index = this.#rankIndex(board);
    const me = index.get(playerId);
    if (!me) return { period, records: [] };
    const at = index.countBefore(me);
    // Centre on the player; at the top or the bottom the other side fills the window.
    const first = Math.max(0, Math.min(at - Math.floor((limit - 1) / 2), index.size - limit));
    const key = `${period}\n${first}\n${limit}`;
    let windows = this.#windows.get(board.id);
    const cached = windows?.get(key);
    if (cached) return cached;
    const records = index.slice(first, first + limit).map((row, i) => toRecord(row, first + 1 + i));
    const window: LeaderboardWindow = Object.freeze({ period, records: Object.freeze(records) });
    if (!windows) {
      windows = new Map();
      this.#windows.set(board.id, windows);
    }
    if (windows.size >= MAX_CACHED_WINDOWS) windows.clear();
    windows.set(key, window);
    return window;
  }

  async rank(boardId: string, playerId: string): Promise<LeaderboardRecord | undefined> {
    const board = this.#boards.get(boardId);
    checkText('playerId', playerId, MAX_ID_LENGTH);
    const index = this.#rankIndex(board);
    const me = index.get(playerId);
    return me ? toRecord(me, index.countBefore(me) + 1) : undefined;
  }

  async remove(boardId: string, playerId: string): Promise<boolean> {
    const board = this.#boards.get(boardId);
    checkText('playerId', playerId, MAX_ID_LENGTH);
    const removed = this.#delete.run(board.id, this.#currentPeriod(board), playerId).changes > 0;
    if (removed) this.#forgetPeriod(board.id);
    return removed;
  }

  async resetPeriod(boardId: string): Promise<number> {
    const board = this.#boards.get(boardId);
    const removed = Number(this.#deletePeriod.run(board.id, this.#currentPeriod(board)).changes);
    this.#forgetPeriod(board.id);
    return removed;
  }

  /** After an operator's deletion: the cached pages and the in-memory period are read again. */
  #forgetPeriod(boardId: string): void {
    this.#forgetPages(boardId);
    this.#ranks.delete(boardId);
  }

  #forgetPages(boardId: string): void {
    this.#windows.delete(boardId);
    const prefix = `${boardId}\n`;
    for (const key of this.#firstPages.keys()) if (key.startsWith(prefix)) this.#firstPages.delete(key);
  }

  #currentPeriod(board: BoardConfig): string {
    return periodKey(board.reset, clockTime(this.#now));
  }

  /** The board's current period in memory, loaded (or reloaded when the period turned) from SQLite. */
  #rankIndex(board: BoardConfig): RankIndex {
    const period = this.#currentPeriod(board);
    const loaded = this.#ranks.get(board.id);
    if (loaded?.period === period) return loaded.index;
    const index = new RankIndex(this.#periodRows.all(board.id, period).map(rankedRow));
    this.#ranks.set(board.id, { period, index });
    return index;
  }
}

/**
 * Stored rank scores depend on the sort order, so a board whose sort flips over stored records
 * would rank them backwards. Remember each board's sort; a flip is allowed only while it is empty.
 */
function pinSortOrders(db: DatabaseSync, boards: Iterable<BoardConfig>): void {
  const pinned = db.prepare('SELECT sort FROM leaderboard_boards WHERE id = ?');
  const pin = db.prepare(
    'INSERT INTO leaderboard_boards (id, sort) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET sort = excluded.sort',
  );
  const hasRecords = db.prepare('SELECT 1 FROM leaderboard_records WHERE board = ? LIMIT 1');
  transaction(db, () => {
    for (const board of boards) {
      const sort = pinned.get(board.id)?.sort;
      if (sort === board.sort) continue;
      if (sort !== undefined && hasRecords.get(board.id)) {
        throw new BoardConfigError(
          `board ${board.id} holds records sorted ${String(sort)}; it cannot become ${board.sort}`,
        );
      }
      pin.run(board.id, board.sort);
    }
  });
}
