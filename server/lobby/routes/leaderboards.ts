/** Handlers of the leaderboards (contracts in ../contracts/leaderboards.ts). */
import type { Hono } from 'hono';
import { DEV_ROOM_PREFIX, isDevRoom } from '../../../shared/protocol/schemas/match-report.ts';
import { InvalidCursorError } from '../../store/errors.ts';
import type {
  LeaderboardPage,
  LeaderboardRecord,
  LeaderboardWindow,
  SubmitOutcome,
} from '../../store/types.ts';
import { leaderboardRoutes } from '../contracts/leaderboards.ts';
import { LobbyError, ValidationError } from '../errors.ts';
import { requireKey } from '../server-auth.ts';
import type { LobbyDeps, LobbyEnv } from '../types.ts';
import { validate, validateUrl } from '../validation.ts';

/** The wire shape of a record: exactly the documented fields, in a stable order. */
const recordOf = (r: LeaderboardRecord) => ({
  rank: r.rank,
  playerId: r.playerId,
  name: r.name,
  score: r.score,
  updatedAt: r.updatedAt,
});

/** The JSON text of each top page served, for as long as the store keeps the page object. */
const topBodies = new WeakMap<LeaderboardPage, string>();
/** The same for windows around players (the embedded store hands out one per window position). */
const windowBodies = new WeakMap<LeaderboardWindow, string>();
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

const limitOf = (limit: string | undefined): number | undefined =>
  limit === undefined ? undefined : Number(limit);

/** Mount the public reads, POST /v1/matches (server key) and the manual score write (admin key). */
export function mountLeaderboardRoutes(app: Hono<LobbyEnv>, deps: LobbyDeps): void {
  const { top, around, player, score, match } = leaderboardRoutes;
  const boards = deps.store.leaderboards;

  app.get(top.path, validateUrl({ param: top.request.params, query: top.request.query }), async (c) => {
    const { boardId } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    try {
      const page = await boards.top(boardId, { limit: limitOf(limit), ...(cursor ? { cursor } : {}) });
      // Stores hand out the same page object until the board changes: serialize it once.
      let text = topBodies.get(page);
      if (text === undefined) {
        const body = { boardId, period: page.period, records: page.records.map(recordOf) };
        text = JSON.stringify(page.nextCursor ? { ...body, nextCursor: page.nextCursor } : body);
        topBodies.set(page, text);
      }
      return c.body(text, 200, JSON_HEADERS);
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      throw new ValidationError([{ field: '/query/cursor', message: 'is not a cursor of this leaderboard' }]);
    }
  });

  app.get(
    around.path,
    validateUrl({ param: around.request.params, query: around.request.query }),
    async (c) => {
      const { boardId, playerId } = c.req.valid('param');
      const window = await boards.around(boardId, playerId, { limit: limitOf(c.req.valid('query').limit) });
      let text = windowBodies.get(window);
      if (text === undefined) {
        text = JSON.stringify({ boardId, period: window.period, records: window.records.map(recordOf) });
        windowBodies.set(window, text);
      }
      return c.body(text, 200, JSON_HEADERS);
    },
  );

  app.get(player.path, validate('param', player.request.params), async (c) => {
    const { boardId, playerId } = c.req.valid('param');
    // A one-record window is the player's own record, and it carries the period in the same read.
    const window = await boards.around(boardId, playerId, { limit: 1 });
    const record = window.records.find((r) => r.playerId === playerId);
    if (!record) {
      throw new LobbyError(
        404,
        'no-record',
        'Not found',
        `No record for this player in period ${window.period}.`,
      );
    }
    return c.json({ boardId, period: window.period, record: recordOf(record) });
  });

  app.post(
    score.path,
    requireKey('adminKey', deps.leaderboardWrites, deps.tokens),
    validate('param', score.request.params),
    validate('json', score.request.body),
    async (c) => {
      const { boardId } = c.req.valid('param');
      const result = await boards.submit({ boardId, ...c.req.valid('json') });
      return c.json({ outcome: result.outcome, period: result.period, score: result.score });
    },
  );

  app.post(
    match.path,
    requireKey('serverKey', deps.leaderboardWrites, deps.tokens),
    validate('json', match.request.body),
    async (c) => {
      const report = c.req.valid('json');
      if (isDevRoom(report.roomId)) {
        throw new LobbyError(
          400,
          'dev-room',
          'Dev room',
          `Rooms made by a game node's dev seats (ids starting "${DEV_ROOM_PREFIX}") never count on leaderboards.`,
          [{ field: '/body/roomId', message: `is a dev room (starts with "${DEV_ROOM_PREFIX}")` }],
        );
      }
      const boardIds = deps.leaderboardWrites?.boardsForMode(report.mode) ?? [];
      // Every result on every board in one atomic batch: all of the report counts or none of it,
      // and the key makes a retried report all duplicates, never a second count.
      const outcomes = await boards.submitAll(
        boardIds.flatMap((boardId) =>
          report.results.map(({ playerId, name, score: points }) => ({
            boardId,
            playerId,
            name,
            score: points,
            key: `${report.matchId}:${playerId}`,
          })),
        ),
      );
      const counts: Record<SubmitOutcome, number> = { applied: 0, unchanged: 0, duplicate: 0 };
      for (const { outcome } of outcomes) counts[outcome] += 1;
      return c.json({
        matchId: report.matchId,
        applied: counts.applied,
        unchanged: counts.unchanged,
        duplicates: counts.duplicate,
        durable: deps.store.durable,
      });
    },
  );
}
