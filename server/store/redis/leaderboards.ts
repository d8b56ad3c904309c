/**
 * Leaderboards on sorted sets. Per board: a records hash (`<period>:<playerId>` -> record), a claims
 * hash (idempotency key -> the record it went to) and one ranking sorted set per period whose members
 * sort as (rank score, updated at, player id) by their bytes (rank-order.ts). Every read is one
 * read-only script: a rank is HGET + ZRANK, a page ZLEXCOUNT + ZRANGE BYLEX, a window ZRANK + ZRANGE,
 * each O(log n + page); no request scans a board. Every key of every board shares one hash tag, so a
 * batch over several boards (a match report) is one atomic script on Redis Cluster too.
 */
import type { BoardRegistry } from '../boards.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { BoardConfigError, InvalidArgumentError } from '../errors.ts';
import { checkLimit, checkSubmission, checkText, MAX_ID_LENGTH } from '../input.ts';
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
  SubmitOutcome,
  SubmitResult,
  WindowOptions,
} from '../types.ts';
import type { RedisKeys } from './keys.ts';
import { MEMBER_PREFIX_LENGTH, rankingMember, timeFromKey, timeKey } from './rank-order.ts';
import type { RedisScripts } from './scripts.ts';

/** Smaller is better on every ranking, so desc boards rank the score negated. */
const rankScore = (sort: BoardSort, score: number): number => (sort === 'desc' ? -score : score);

/** A stored record: score key, time key, score text, newline, name. */
function toRecord(playerId: string, stored: string, rank: number): LeaderboardRecord {
  const newline = stored.indexOf('\n', MEMBER_PREFIX_LENGTH);
  return {
    playerId,
    name: stored.slice(newline + 1),
    score: Number(stored.slice(MEMBER_PREFIX_LENGTH, newline)),
    rank,
    updatedAt: timeFromKey(stored.slice(MEMBER_PREFIX_LENGTH / 2, MEMBER_PREFIX_LENGTH)),
  };
}

/** `[first rank (0-based), members, their records]` as the page and window scripts return it. */
function toRecords(reply: unknown): { first: number; records: LeaderboardRecord[] } {
  const [first, members, stored] = reply as [number, string[], (string | null)[]];
  const records = members.map((member, i) => {
    const record = stored[i];
    if (typeof record !== 'string') throw new Error(`ranking member without a record: ${member}`);
    return toRecord(member.slice(MEMBER_PREFIX_LENGTH), record, first + 1 + i);
  });
  return { first, records };
}

/** The LeaderboardStore on Redis; `now` is the injected wall clock. */
export class RedisLeaderboards implements LeaderboardStore {
  readonly #scripts: RedisScripts;
  readonly #keys: RedisKeys;
  readonly #boards: BoardRegistry;
  readonly #now: () => number;

  constructor(scripts: RedisScripts, keys: RedisKeys, boards: BoardRegistry, now: () => number) {
    this.#scripts = scripts;
    this.#keys = keys;
    this.#boards = boards;
    this.#now = now;
  }

  /**
   * Stored rank keys depend on the sort order, so a board whose sort flips over stored records would
   * rank them backwards. Each board's sort is pinned; a flip is allowed only while it is empty.
   */
  async pinSortOrders(): Promise<void> {
    const boards = [...this.#boards.all()];
    const refused = (await this.#scripts.run(
      'pin-sorts-n',
      [this.#keys.boards, ...boards.map((board) => this.#keys.records(board.id))],
      boards.flatMap((board) => [board.id, board.sort]),
    )) as string[];
    if (refused.length > 0) {
      const [id, sort] = refused;
      // Stryker disable next-line StringLiteral: equivalent, a refusal always holds the board id and its sort
      const wanted = this.#boards.get(id ?? '').sort;
      throw new BoardConfigError(`board ${id} holds records sorted ${sort}; it cannot become ${wanted}`);
    }
  }

  async remove(boardId: string, playerId: string): Promise<boolean> {
    const board = this.#boards.get(boardId);
    checkText('playerId', playerId, MAX_ID_LENGTH);
    const period = this.#currentPeriod(board);
    const removed = await this.#scripts.run(
      'remove-record-2',
      [this.#keys.records(board.id), this.#keys.ranking(board.id, period)],
      [period, playerId],
    );
    return removed === 1;
  }

  async resetPeriod(boardId: string): Promise<number> {
    const board = this.#boards.get(boardId);
    const period = this.#currentPeriod(board);
    const removed = await this.#scripts.run(
      'reset-period-2',
      [this.#keys.records(board.id), this.#keys.ranking(board.id, period)],
      [period],
    );
    return Number(removed);
  }

  async submit(submission: ScoreSubmission): Promise<SubmitResult> {
    const [result] = await this.submitAll([submission]);
    return result!;
  }

  async submitAll(submissions: readonly ScoreSubmission[]): Promise<SubmitResult[]> {
    // Everything checked before the script runs: one bad submission refuses the whole batch.
    const checked = submissions.map((s) => ({ board: this.#boards.get(s.boardId), ...checkSubmission(s) }));
    // Stryker disable next-line ConditionalExpression: cost only, submit-n over no keys replies an empty list
    if (checked.length === 0) return [];
    const at = clockTime(this.#now);
    const keys: string[] = [];
    const args: string[] = [timeKey(at)];
    for (const { board, playerId, name, score, key } of checked) {
      const period = periodKey(board.reset, at);
      keys.push(
        this.#keys.claims(board.id),
        this.#keys.records(board.id),
        this.#keys.ranking(board.id, period),
      );
      args.push(board.operator, board.sort, period, playerId, name, String(score), key);
    }
    const [status, detail] = (await this.#scripts.run('submit-n', keys, args)) as [string, unknown];
    if (status === 'overflow') {
      const { board, playerId } = checked[detail as number]!;
      throw new InvalidArgumentError(
        'score',
        `would take ${JSON.stringify(playerId)}'s score on ${board.id} out of the finite range`,
      );
    }
    return (detail as [SubmitOutcome, string, string][]).map(([outcome, period, score]) => ({
      outcome,
      period,
      score: Number(score),
    }));
  }

  async top(boardId: string, options: PageOptions = {}): Promise<LeaderboardPage> {
    const board = this.#boards.get(boardId);
    const limit = checkLimit(options.limit);
    const from = options.cursor === undefined ? undefined : decodeCursor(options.cursor, board.id);
    const period = from?.period ?? this.#currentPeriod(board);
    const after = from ? rankingMember(rankScore(board.sort, from.score), from.updatedAt, from.playerId) : '';
    // One extra record tells whether another page exists, so the last page never has a cursor.
    const reply = await this.#scripts.run(
      'page-2',
      [this.#keys.records(board.id), this.#keys.ranking(board.id, period)],
      [period, limit + 1, after],
    );
    const { records } = toRecords(reply);
    const page = records.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      records.length > limit && last
        ? encodeCursor({
            boardId: board.id,
            period,
            score: last.score,
            updatedAt: last.updatedAt,
            playerId: last.playerId,
          })
        : undefined;
    return { period, records: page, nextCursor };
  }

  async around(boardId: string, playerId: string, options: WindowOptions = {}): Promise<LeaderboardWindow> {
    const board = this.#boards.get(boardId);
    checkText('playerId', playerId, MAX_ID_LENGTH);
    const limit = checkLimit(options.limit);
    const period = this.#currentPeriod(board);
    const reply = await this.#scripts.run(
      'around-2',
      [this.#keys.records(board.id), this.#keys.ranking(board.id, period)],
      [period, playerId, limit],
    );
    return { period, records: reply === null ? [] : toRecords(reply).records };
  }

  async rank(boardId: string, playerId: string): Promise<LeaderboardRecord | undefined> {
    const board = this.#boards.get(boardId);
    checkText('playerId', playerId, MAX_ID_LENGTH);
    const period = this.#currentPeriod(board);
    const reply = await this.#scripts.run(
      'rank-2',
      [this.#keys.records(board.id), this.#keys.ranking(board.id, period)],
      [period, playerId],
    );
    if (reply === null) return undefined;
    const [rank, stored] = reply as [number, string];
    return toRecord(playerId, stored, rank + 1);
  }

  #currentPeriod(board: BoardConfig): string {
    return periodKey(board.reset, clockTime(this.#now));
  }
}
