import { BoardConfigError, UnknownBoardError } from './errors.ts';
import { BOARD_OPERATORS, BOARD_RESETS, BOARD_SORTS, type BoardConfig, type BoardSort } from './types.ts';

const BOARD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The configured boards, checked once at open; every store operation resolves its board here first. */
export class BoardRegistry {
  readonly #boards = new Map<string, BoardConfig>();

  constructor(configs: readonly BoardConfig[]) {
    for (const config of configs) {
      if (typeof config.id !== 'string' || !BOARD_ID.test(config.id)) {
        throw new BoardConfigError(`board id ${JSON.stringify(config.id)} must match ${BOARD_ID}`);
      }
      if (this.#boards.has(config.id)) throw new BoardConfigError(`board ${config.id} is configured twice`);
      oneOf(config.id, 'sort', config.sort, BOARD_SORTS);
      oneOf(config.id, 'operator', config.operator, BOARD_OPERATORS);
      oneOf(config.id, 'reset', config.reset, BOARD_RESETS);
      this.#boards.set(config.id, {
        id: config.id,
        sort: config.sort,
        operator: config.operator,
        reset: config.reset,
      });
    }
  }

  /** The board, or UnknownBoardError (also for a non-string id from an unchecked caller). */
  get(id: string): BoardConfig {
    const board = typeof id === 'string' ? this.#boards.get(id) : undefined;
    if (!board) throw new UnknownBoardError(String(id));
    return board;
  }

  all(): IterableIterator<BoardConfig> {
    return this.#boards.values();
  }
}

function oneOf(id: string, field: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    throw new BoardConfigError(
      `board ${id}: ${field} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`,
    );
  }
}

/** True when `a` ranks above `b` on a board sorted this way (equal is not better). */
export function isBetter(sort: BoardSort, a: number, b: number): boolean {
  return sort === 'desc' ? a > b : a < b;
}

/**
 * The player's score after a submission under the board's operator, or undefined when the
 * submission changes nothing (a `best` board and a score no better than the current one). An equal
 * `best` score keeps the earlier time, so the player who got there first stays ahead.
 */
export function nextScore(
  board: BoardConfig,
  current: number | undefined,
  submitted: number,
): number | undefined {
  if (current === undefined) return submitted;
  switch (board.operator) {
    case 'best':
      return isBetter(board.sort, submitted, current) ? submitted : undefined;
    case 'set':
      return submitted;
    case 'increment':
      return current + submitted;
  }
}
