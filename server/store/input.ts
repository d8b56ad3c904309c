/**
 * Argument checks every store implementation runs before touching storage, so a NaN score or a
 * limit of 10^9 is refused with the same typed error everywhere and nothing half-written remains.
 */
import { InvalidArgumentError } from './errors.ts';
import type { ScoreSubmission } from './types.ts';

/** Largest page or window a read returns. */
export const MAX_LIMIT = 100;
/** Page or window size when the caller names none. */
export const DEFAULT_LIMIT = 10;
/**
 * Longest player id, display name and submission key, in characters (code points), as the lobby's
 * JSON Schemas count them: a name the lobby admits is one every store stores.
 */
export const MAX_ID_LENGTH = 128;
export const MAX_NAME_LENGTH = 64;
export const MAX_KEY_LENGTH = 256;

/** Most players a search by name returns (and its default). */
export const MAX_NAME_MATCHES = 20;

/**
 * A display name as name searches compare it: Unicode lower case (`Zoë` and `ZOË` match), the same
 * in every store. Embedded keeps it in `players.name_fold`, Redis in its names index.
 */
export function foldName(name: string): string {
  return name.toLowerCase();
}

/** A name search: a non-empty prefix of at most MAX_NAME_LENGTH characters, folded; a limit of 1..20. */
export function checkNameSearch(prefix: string, limit: number | undefined): { fold: string; limit: number } {
  checkText('name', prefix, MAX_NAME_LENGTH);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_NAME_MATCHES)) {
    throw new InvalidArgumentError('limit', `must be an integer from 1 to ${MAX_NAME_MATCHES}, got ${limit}`);
  }
  return { fold: foldName(prefix), limit: limit ?? MAX_NAME_MATCHES };
}

/** A page size: an integer in 1..MAX_LIMIT, DEFAULT_LIMIT when absent. */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidArgumentError('limit', `must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
  return limit;
}

/** A finite score, with -0 folded into 0 so it cannot sort apart from 0. */
export function checkScore(score: number, argument = 'score'): number {
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    throw new InvalidArgumentError(argument, `must be a finite number, got ${String(score)}`);
  }
  return score + 0;
}

/** Characters (code points) in a string. */
function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** A non-empty string of at most `max` characters. */
export function checkText(argument: string, value: string, max: number): string {
  // A string has at least as many code units as code points: only a long one needs counting.
  if (typeof value !== 'string' || value.length === 0 || (value.length > max && codePoints(value) > max)) {
    throw new InvalidArgumentError(argument, `must be a string of 1 to ${max} characters`);
  }
  // A lone surrogate is stored by SQLite as U+FFFD, so two different ids would become one row.
  if (!value.isWellFormed()) throw new InvalidArgumentError(argument, 'must be well-formed Unicode');
  return value;
}

/** Every field of a submission checked, the score normalised. */
export function checkSubmission(submission: ScoreSubmission): ScoreSubmission {
  return {
    boardId: submission.boardId,
    playerId: checkText('playerId', submission.playerId, MAX_ID_LENGTH),
    name: checkText('name', submission.name, MAX_NAME_LENGTH),
    score: checkScore(submission.score),
    key: checkText('key', submission.key, MAX_KEY_LENGTH),
  };
}
