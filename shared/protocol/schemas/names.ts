/**
 * The names and ids players carry, as JSON Schemas (TypeBox) that the lobby's route contracts and
 * the game node compile with the same Ajv: one rule, so a node can never seat or report a name the
 * lobby would refuse. Patterns run with Ajv's `u` flag, where `\P{Cs}` is any code point but a lone
 * surrogate (which SQLite would store as U+FFFD, merging two different names or ids into one).
 */
import { Type } from '@sinclair/typebox';

/** Any well-formed Unicode text: no lone surrogate. */
const WELL_FORMED = '^\\P{Cs}+$';

/** A game mode's name: lowercase, starting with a letter, at most 32 characters. */
export const MODE_NAME = '^[a-z][a-z0-9-]{0,31}$';

/**
 * A player's display name, as guests pick it and seats carry it: 1-24 characters of letters,
 * digits, space, `_`, `-`, `.`, with no leading or trailing space. Refused rather than silently
 * trimmed, so the stored name is the one sent.
 */
export const DisplayName = Type.String({
  minLength: 1,
  maxLength: 24,
  pattern: '^[\\p{L}\\p{N}_.-](?:[\\p{L}\\p{N} _.-]*[\\p{L}\\p{N}_.-])?$',
  description: '1-24 letters, digits, spaces, _ - . ; no leading or trailing space',
});

/** The name shown on a leaderboard record: 1-64 characters of well-formed Unicode. */
export const RecordName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: WELL_FORMED,
  description: '1-64 characters, well-formed Unicode',
});

/** A player id on a board: 1-128 characters of well-formed Unicode. */
export const PlayerId = Type.String({ minLength: 1, maxLength: 128, pattern: WELL_FORMED });
