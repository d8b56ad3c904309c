/**
 * `top` page cursors. A cursor is the position of the last record of a page (score, time, player
 * id: the full sort key) plus its board and period, base64url-encoded JSON. Resuming strictly after
 * a sort key, rather than at an offset, means no duplicates and no gaps while pages are read, even
 * through runs of tied scores; the period pins the board's period at the first page, so paging
 * across a reset keeps reading the period it started in.
 */
import { InvalidCursorError } from './errors.ts';

const VERSION = 1;
/** Longer than any cursor we issue (ids and period keys are bounded); checked before decoding. */
const MAX_CURSOR_LENGTH = 1024;

/** Where a page ended: the sort key of its last record. */
export interface PagePosition {
  readonly boardId: string;
  readonly period: string;
  readonly score: number;
  readonly updatedAt: number;
  readonly playerId: string;
}

/** The opaque cursor for a position. */
export function encodeCursor(position: PagePosition): string {
  const { boardId, period, score, updatedAt, playerId } = position;
  return Buffer.from(JSON.stringify([VERSION, boardId, period, score, updatedAt, playerId])).toString(
    'base64url',
  );
}

/** The position in a cursor issued for `boardId`, or InvalidCursorError. */
export function decodeCursor(cursor: string, boardId: string): PagePosition {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw new InvalidCursorError();
  }
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(fields) || fields.length !== 6) throw new InvalidCursorError();
  const [version, board, period, score, updatedAt, playerId] = fields as unknown[];
  if (
    version !== VERSION ||
    board !== boardId ||
    typeof period !== 'string' ||
    typeof score !== 'number' ||
    !Number.isFinite(score) ||
    !Number.isSafeInteger(updatedAt) ||
    typeof playerId !== 'string'
  ) {
    throw new InvalidCursorError();
  }
  return { boardId, period, score, updatedAt: updatedAt as number, playerId };
}
