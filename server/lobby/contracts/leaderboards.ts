/**
 * Contracts of the leaderboards: public reads of a board's current period, and the two writes,
 * which take no player token: match reports from game nodes (server key) and manual corrections
 * (admin key).
 */
import { Type } from '@sinclair/typebox';
import { MatchReportSchema } from '../../../shared/protocol/schemas/match-report.ts';
import { PlayerId, RecordName } from '../../../shared/protocol/schemas/names.ts';
import { defineRoute, problemAnswer } from '../contract.ts';

/** A configured board's id, as the store accepts it. */
const BoardId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'Board id' });
/** Query values arrive as text and Ajv does not coerce, so the 1-100 range is a pattern. */
const Limit = Type.String({
  pattern: '^(?:[1-9][0-9]?|100)$',
  description: 'Integer from 1 to 100 (default 10)',
});
const Period = Type.String({
  description: 'The board period read: `all`, `2026-11-22`, `2026-W47` or `2026-11`',
});

/** Path of the board routes. */
export const BoardParams = Type.Object({ boardId: BoardId }, { additionalProperties: false });
/** Path of the per-player board routes. */
export const BoardPlayerParams = Type.Object(
  { boardId: BoardId, playerId: PlayerId },
  { additionalProperties: false },
);
/** Query of GET top. */
export const TopQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
/** Query of GET around. */
export const AroundQuery = Type.Object({ limit: Type.Optional(Limit) }, { additionalProperties: false });

/** One line of a board. */
export const LeaderboardRecord = Type.Object(
  {
    rank: Type.Integer({ minimum: 1, description: '1-based; ties go to whoever got there first' }),
    playerId: Type.String(),
    name: Type.String(),
    score: Type.Number(),
    updatedAt: Type.Integer({ description: 'When the score was reached, wall-clock ms (UTC)' }),
  },
  { title: 'LeaderboardRecord', additionalProperties: false },
);

/** A page of the best records. */
export const TopResponse = Type.Object(
  {
    boardId: Type.String(),
    period: Period,
    records: Type.Array(LeaderboardRecord),
    nextCursor: Type.Optional(Type.String({ description: 'Absent on the last page' })),
  },
  { title: 'LeaderboardPage', additionalProperties: false },
);

/** Records around one player. */
export const AroundResponse = Type.Object(
  { boardId: Type.String(), period: Period, records: Type.Array(LeaderboardRecord) },
  { title: 'LeaderboardWindow', additionalProperties: false },
);

/** One player's standing. */
export const PlayerRecordResponse = Type.Object(
  { boardId: Type.String(), period: Period, record: LeaderboardRecord },
  { title: 'LeaderboardStanding', additionalProperties: false },
);

/** A finished match as a game node reports it: the one schema the node checks its reports with. */
export const MatchReportRequest = MatchReportSchema;

/** What a match report did, counted per (result, board) submission. */
export const MatchReportResponse = Type.Object(
  {
    matchId: Type.String(),
    applied: Type.Integer({ description: 'Submissions that changed a score' }),
    unchanged: Type.Integer({ description: 'Submissions no better than the score kept (best boards)' }),
    duplicates: Type.Integer({
      description: 'Submissions already received: a replayed report is all duplicates',
    }),
    durable: Type.Boolean({
      description:
        'True when the store had the report on disk before this answer (embedded store; Redis with appendfsync always). False: a store crash in the next seconds may lose it, and the game node sends the report once more after its confirmation window (all duplicates then means it survived; anything applied means it had been lost and now counts again, once).',
    }),
  },
  { title: 'MatchReportResult', additionalProperties: false },
);

/** A manual score correction. */
export const ScoreRequest = Type.Object(
  {
    playerId: PlayerId,
    name: RecordName,
    score: Type.Number(),
    key: Type.String({ minLength: 1, maxLength: 256, description: 'Idempotency key, unique per board' }),
  },
  { title: 'ScoreSubmission', additionalProperties: false },
);

/** What a manual score write did. */
export const ScoreResponse = Type.Object(
  {
    outcome: Type.Union([Type.Literal('applied'), Type.Literal('unchanged'), Type.Literal('duplicate')]),
    period: Period,
    score: Type.Number({ description: "The player's score this period afterwards" }),
  },
  { title: 'ScoreResult', additionalProperties: false },
);

const boardNotFound = problemAnswer('No such board, or no record');

/** Routes of the leaderboards resource. Reads are public: scores are public and reads are the hot path. */
export const leaderboardRoutes = {
  top: defineRoute({
    method: 'get',
    path: '/v1/leaderboards/:boardId/top',
    operationId: 'getLeaderboardTop',
    summary: 'The best records of the current period, in pages',
    tag: 'leaderboards',
    auth: false,
    request: { params: BoardParams, query: TopQuery },
    responses: { 200: { description: 'A page', schema: TopResponse }, 404: boardNotFound },
  }),
  around: defineRoute({
    method: 'get',
    path: '/v1/leaderboards/:boardId/around/:playerId',
    operationId: 'getLeaderboardAround',
    summary: 'Records centred on a player (empty when the player has no record this period)',
    tag: 'leaderboards',
    auth: false,
    request: { params: BoardPlayerParams, query: AroundQuery },
    responses: { 200: { description: 'The window', schema: AroundResponse }, 404: boardNotFound },
  }),
  player: defineRoute({
    method: 'get',
    path: '/v1/leaderboards/:boardId/players/:playerId',
    operationId: 'getLeaderboardPlayer',
    summary: "A player's rank and score this period",
    tag: 'leaderboards',
    auth: false,
    request: { params: BoardPlayerParams },
    responses: { 200: { description: 'The standing', schema: PlayerRecordResponse }, 404: boardNotFound },
  }),
  score: defineRoute({
    method: 'post',
    path: '/v1/leaderboards/:boardId/scores',
    operationId: 'postLeaderboardScore',
    summary: 'Write a score by hand (operators only)',
    tag: 'leaderboards',
    auth: false,
    key: 'adminKey',
    request: { params: BoardParams, body: ScoreRequest },
    responses: { 200: { description: 'The submission', schema: ScoreResponse }, 404: boardNotFound },
  }),
  match: defineRoute({
    method: 'post',
    path: '/v1/matches',
    operationId: 'postMatchReport',
    summary: "Report a finished match; its results count on the mode's boards once, however often sent",
    tag: 'leaderboards',
    auth: false,
    key: 'serverKey',
    request: { body: MatchReportRequest },
    responses: { 200: { description: 'The report was applied or had been', schema: MatchReportResponse } },
  }),
};
