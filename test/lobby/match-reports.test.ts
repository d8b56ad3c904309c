/**
 * POST /v1/matches as a game node meets it, over real HTTP: the node's key never competes with
 * clients for a rate-limit budget, a report counts on every board or on none, a replay (even a
 * concurrent one) counts once, and reports of dev rooms or with no results are refused.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { lobbyReporter } from '../../server/game/match-reporter.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../server/lobby/app.ts';
import type { BoardConfig } from '../../server/store/types.ts';
import { ajv } from '../../server/validation.ts';
import {
  MAX_MATCH_REPORT_BYTES,
  MAX_MATCH_RESULTS,
  MatchReportSchema,
} from '../../shared/protocol/schemas/match-report.ts';
import { ADMIN_KEY, PROBLEMS, postWith, SERVER_KEY } from './leaderboard-support.ts';
import { readProblem, startLobby, type TestLobby } from './support.ts';

const validReport = ajv.compile(MatchReportSchema);

/** A best board and a summing board, both counting mode `arena`. */
const BOARDS: readonly BoardConfig[] = [
  { id: 'arena', sort: 'desc', operator: 'best', reset: 'never' },
  { id: 'arena-total', sort: 'desc', operator: 'increment', reset: 'never' },
];

let lobby: TestLobby | undefined;
afterEach(async () => {
  await lobby?.close();
  lobby = undefined;
});

const start = (ipPerMinute = 0) =>
  startLobby({
    boards: BOARDS,
    rateLimits: { ipPerMinute, playerPerMinute: 0, guestPerMinute: 0, trustProxy: false },
    leaderboardWrites: {
      serverKey: SERVER_KEY,
      adminKey: ADMIN_KEY,
      boardsForMode: (mode) => (mode === 'arena' ? BOARDS.map((b) => b.id) : []),
    },
  });

interface Result {
  readonly playerId: string;
  readonly name: string;
  readonly score: number;
  readonly stats?: Record<string, number>;
}
const report = (matchId: string, results: Result[]) => ({
  matchId,
  roomId: 'room-1',
  mode: 'arena',
  endedAt: 1,
  results,
});
const sendReport = (body: unknown, key = SERVER_KEY) =>
  postWith(`${lobby!.url}/v1/matches`, body, `Bearer ${key}`);
/** A board's (playerId, score) pairs, read from the store (the HTTP reads may be over budget). */
const records = async (board: string) =>
  (await lobby!.store.leaderboards.top(board)).records.map((r) => [r.playerId, r.score]);

describe('POST /v1/matches and the per-IP budget', () => {
  it("accepts the node's report when clients on its address have spent their budget", async () => {
    lobby = await start(3);
    // Players on 127.0.0.1 (the node's address in the one-machine setup) use up the IP budget.
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${lobby.url}/v1/leaderboards/arena/top`)).status).toBe(200);
    expect((await fetch(`${lobby.url}/v1/leaderboards/arena/top`)).status).toBe(429);

    // The node's own reporter, as a game node on this address sends reports.
    const node = lobbyReporter({ lobbyUrl: lobby.url, serverKey: SERVER_KEY });
    for (let i = 0; i < 5; i++) {
      const sent = await node(
        report(`m-${i}`, [{ playerId: 'ada', name: 'Ada', score: i }]),
        AbortSignal.timeout(5000),
      );
      expect(sent.kind).toBe('delivered');
    }
    // The admin key is not budgeted either.
    const correction = { playerId: 'bo', name: 'Bo', score: 1, key: 'fix-1' };
    expect(
      (await postWith(`${lobby.url}/v1/leaderboards/arena/scores`, correction, `Bearer ${ADMIN_KEY}`)).status,
    ).toBe(200);
    // A wrong key is checked first and still counts against its address: it gets the 429.
    expect(
      (await sendReport(report('m-x', [{ playerId: 'eve', name: 'Eve', score: 9 }]), 'w'.repeat(40))).status,
    ).toBe(429);
    expect(await records('arena-total')).toEqual([['ada', 10]]);
    expect(await records('arena')).toEqual([
      ['ada', 4],
      ['bo', 1],
    ]);
  });
});

describe('POST /v1/matches is all or nothing', () => {
  it('a report with one invalid result writes nothing on any board, naming the field', async () => {
    lobby = await start();
    const bad = report('m-1', [
      { playerId: 'ada', name: 'Ada', score: 5 },
      { playerId: 'bo', name: 'Bo\ud800', score: 3 },
    ]);
    const answer = await sendReport(bad);
    expect(answer.status).toBe(400);
    expect((await readProblem(answer)).errors?.[0]?.field).toBe('/body/results/1/name');
    expect(await records('arena')).toEqual([]);
    expect(await records('arena-total')).toEqual([]);
  });

  it('a result the boards cannot take (a sum overflowing) rolls back the whole report', async () => {
    lobby = await start();
    const max = Number.MAX_VALUE;
    expect((await sendReport(report('m-1', [{ playerId: 'bo', name: 'Bo', score: max }]))).status).toBe(200);
    const overflowing = report('m-2', [
      { playerId: 'ada', name: 'Ada', score: 5 },
      { playerId: 'bo', name: 'Bo', score: max },
    ]);
    const answer = await sendReport(overflowing);
    expect(answer.status).toBe(400);
    expect(await readProblem(answer)).toMatchObject({ type: `${PROBLEMS}/invalid-argument` });
    expect(await records('arena')).toEqual([['bo', max]]);
    expect(await records('arena-total')).toEqual([['bo', max]]);
  });

  it('a valid report counts once, however often and however concurrently it is replayed', async () => {
    lobby = await start();
    const valid = report('m-1', [
      { playerId: 'ada', name: 'Ada', score: 5 },
      { playerId: 'bo', name: 'Bo', score: 3 },
    ]);
    const answers = await Promise.all(Array.from({ length: 6 }, () => sendReport(valid)));
    const bodies = await Promise.all(
      answers.map((a) => a.json() as Promise<{ applied: number; duplicates: number }>),
    );
    expect(bodies.reduce((sum, b) => sum + b.applied, 0)).toBe(4);
    expect(await (await sendReport(valid)).json()).toEqual({
      matchId: 'm-1',
      applied: 0,
      unchanged: 0,
      duplicates: 4,
      durable: true,
    });
    expect(await records('arena-total')).toEqual([
      ['ada', 5],
      ['bo', 3],
    ]);
  });
});

describe('POST /v1/matches takes every report the shared schema admits', () => {
  it("takes a full 64-player report with stats, over the lobby's 16 KiB client body limit", async () => {
    lobby = await start();
    const full = report(
      'm-full',
      Array.from({ length: MAX_MATCH_RESULTS }, (_, i) => ({
        playerId: randomUUID(),
        name: `Player Number ${i}`,
        score: 1000 + i,
        stats: Object.fromEntries(Array.from({ length: 8 }, (_, j) => [`stat${j}name`, 1234.25 + j])),
      })),
    );
    expect(validReport(full)).toBe(true); // the node would queue it
    expect(Buffer.byteLength(JSON.stringify(full))).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
    const node = lobbyReporter({ lobbyUrl: lobby.url, serverKey: SERVER_KEY });
    expect(await node(full, AbortSignal.timeout(5_000))).toMatchObject({ kind: 'delivered' });
    expect((await lobby.store.leaderboards.top('arena', { limit: 100 })).records).toHaveLength(
      MAX_MATCH_RESULTS,
    );
  });

  it('still holds clients to the client body limit, and refuses reports over the report limit', async () => {
    lobby = await start();
    const big = JSON.stringify({ name: 'x'.repeat(DEFAULT_MAX_BODY_BYTES) });
    expect((await postWith(`${lobby.url}/v1/auth/guest`, JSON.parse(big), undefined)).status).toBe(413);
    const stats = Object.fromEntries(
      Array.from({ length: MAX_MATCH_REPORT_BYTES / 8 }, (_, i) => [`s${i}`, i]),
    );
    const huge = report('m-huge', [{ playerId: 'ada', name: 'Ada', score: 1, stats }]);
    expect((await sendReport(huge)).status).toBe(413);
    expect(await records('arena')).toEqual([]);
  });
});

describe('POST /v1/matches refuses what must never count', () => {
  it('refuses a report of a dev room with a problem naming /body/roomId', async () => {
    lobby = await start();
    const answer = await sendReport({
      ...report('m-1', [{ playerId: 'ada', name: 'Ada', score: 5 }]),
      roomId: 'dev-1',
    });
    expect(answer.status).toBe(400);
    const problem = await readProblem(answer);
    expect(problem).toMatchObject({ type: `${PROBLEMS}/dev-room` });
    expect(problem.errors?.[0]?.field).toBe('/body/roomId');
    expect(await records('arena')).toEqual([]);
  });

  it('refuses an empty report (nothing to count): 400 naming /body/results', async () => {
    lobby = await start();
    const answer = await sendReport(report('m-1', []));
    expect(answer.status).toBe(400);
    expect((await readProblem(answer)).errors?.[0]?.field).toBe('/body/results');
  });
});
