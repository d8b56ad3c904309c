/**
 * A finished match as a game node reports it (`POST /v1/matches`) and as players receive it
 * (`MATCH_END`). The lobby validates reports with this schema and the node checks each report with
 * the same one before it promises to deliver it, so a node never queues a report the lobby refuses.
 */
import { type Static, Type } from '@sinclair/typebox';
import { MODE_NAME, PlayerId, RecordName } from './names.ts';

/** Most results one report may carry. */
export const MAX_MATCH_RESULTS = 64;

/**
 * Largest report body (JSON, in bytes) the lobby takes at `POST /v1/matches`, whatever its client
 * body limit: a full report (64 results with their stats) is well over the 16 KiB a client request
 * may carry, and one the schema admits must not be refused for its size.
 */
export const MAX_MATCH_REPORT_BYTES = 256 * 1024;

/**
 * Rooms a game node's `POST /dev/seats` makes start with this. Their matches never count on
 * leaderboards: the node does not report them and the lobby refuses a report that names one.
 */
export const DEV_ROOM_PREFIX = 'dev-';

/** True for a room made by dev seats. */
export const isDevRoom = (roomId: string): boolean => roomId.startsWith(DEV_ROOM_PREFIX);

/** One player's line of a finished match. */
export const MatchResultSchema = Type.Object(
  {
    playerId: PlayerId,
    name: RecordName,
    score: Type.Number({ description: 'A finite number' }),
    stats: Type.Optional(Type.Record(Type.String(), Type.Number())),
  },
  { additionalProperties: false },
);

/**
 * A finished match. `results` is never empty: a match nobody finished (every player left) has
 * nothing to report, and the node sends no report for it.
 */
export const MatchReportSchema = Type.Object(
  {
    matchId: Type.String({ minLength: 1, maxLength: 64 }),
    roomId: Type.String({ minLength: 1, maxLength: 64 }),
    mode: Type.String({ pattern: MODE_NAME }),
    endedAt: Type.Integer({ minimum: 0, description: 'Wall-clock ms (UTC)' }),
    results: Type.Array(MatchResultSchema, { minItems: 1, maxItems: MAX_MATCH_RESULTS }),
  },
  { title: 'MatchReport', additionalProperties: false },
);

/** A match report as the schema admits it. */
export type MatchReportBody = Static<typeof MatchReportSchema>;
