import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, PROBLEMS, postWith, SERVER_KEY, startLeaderboardLobby } from './leaderboard-support.ts';
import { postJson, readProblem, type TestLobby } from './support.ts';

let lobby: TestLobby;
beforeAll(async () => {
  lobby = await startLeaderboardLobby();
});
afterAll(async () => {
  await lobby.close();
});

const get = (path: string) => fetch(`${lobby.url}${path}`);
const post = (path: string, body: unknown, authorization?: string) =>
  postWith(`${lobby.url}${path}`, body, authorization);
const playerToken = async (): Promise<string> =>
  (await (await postJson(`${lobby.url}/v1/auth/guest`, { name: 'ada' })).json()).accessToken;
const report = (matchId: string, scores: Record<string, number>) => ({
  matchId,
  roomId: 'room-1',
  mode: 'arena',
  endedAt: lobby.clock.now,
  results: Object.entries(scores).map(([playerId, score]) => ({ playerId, name: playerId, score })),
});

describe('POST /v1/matches', () => {
  it("applies a report once to the mode's boards; a replay is all duplicates", async () => {
    const first = report('m-1', { ana: 30, bo: 20 });
    const applied = await post('/v1/matches', first, `Bearer ${SERVER_KEY}`);
    expect(applied.status).toBe(200);
    expect(await applied.json()).toEqual({
      matchId: 'm-1',
      applied: 4,
      unchanged: 0,
      duplicates: 0,
      durable: true,
    });
    const replayed = await post(
      '/v1/matches',
      { ...first, results: [...first.results].reverse() },
      `Bearer ${SERVER_KEY}`,
    );
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toEqual({
      matchId: 'm-1',
      applied: 0,
      unchanged: 0,
      duplicates: 4,
      durable: true,
    });
    const worse = await post('/v1/matches', report('m-2', { ana: 5 }), `Bearer ${SERVER_KEY}`);
    expect(await worse.json()).toEqual({
      matchId: 'm-2',
      applied: 0,
      unchanged: 2,
      duplicates: 0,
      durable: true,
    });
    for (const board of ['arena', 'arena-daily']) {
      const page = await (await get(`/v1/leaderboards/${board}/top`)).json();
      const scores = page.records.map((r: { playerId: string; score: number }) => [r.playerId, r.score]);
      expect(scores.slice(0, 2)).toEqual([
        ['ana', 30],
        ['bo', 20],
      ]);
    }
  });

  it('counts nothing for a mode with no boards', async () => {
    const body = { ...report('m-3', { ana: 99 }), mode: 'sandbox' };
    expect(await (await post('/v1/matches', body, `Bearer ${SERVER_KEY}`)).json()).toEqual({
      matchId: 'm-3',
      applied: 0,
      unchanged: 0,
      duplicates: 0,
      durable: true,
    });
  });

  it('refuses a player token or the admin key with 403', async () => {
    for (const credential of [await playerToken(), ADMIN_KEY]) {
      const response = await post('/v1/matches', report('m-4', { ana: 1 }), `Bearer ${credential}`);
      expect(response.status).toBe(403);
      expect(await readProblem(response)).toMatchObject({ type: `${PROBLEMS}/forbidden` });
    }
  });

  it('refuses no key, a wrong key and a non-bearer header with 401 and WWW-Authenticate', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key', `Basic ${SERVER_KEY}`]) {
      const response = await post('/v1/matches', report('m-5', { ana: 1 }), authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await readProblem(response)).toMatchObject({ type: `${PROBLEMS}/unauthorized` });
    }
    expect(lobby.logs.join('')).not.toContain(SERVER_KEY);
  });

  it('refuses a report with no results or more than 64, naming /body/results', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`q${i}`, i]));
    for (const body of [{ ...report('m-6', {}), results: [] }, report('m-6', many)]) {
      const response = await post('/v1/matches', body, `Bearer ${SERVER_KEY}`);
      expect(response.status).toBe(400);
      expect((await readProblem(response)).errors?.[0]?.field).toBe('/body/results');
    }
  });
});

describe('POST /v1/leaderboards/{boardId}/scores', () => {
  const correction = { playerId: 'cy', name: 'Cy', score: 42, key: 'fix-1' };

  it('writes a score with the admin key, once per key', async () => {
    const response = await post('/v1/leaderboards/ladder/scores', correction, `Bearer ${ADMIN_KEY}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: 'applied', period: 'all', score: 42 });
    const again = await post(
      '/v1/leaderboards/ladder/scores',
      { ...correction, score: 99 },
      `Bearer ${ADMIN_KEY}`,
    );
    expect((await again.json()).outcome).toBe('duplicate');
    const standing = await (await get('/v1/leaderboards/ladder/players/cy')).json();
    expect(standing.record).toMatchObject({ rank: 1, score: 42 });
  });

  it('refuses a player token or the server key with 403, and no key with 401', async () => {
    for (const credential of [await playerToken(), SERVER_KEY]) {
      const response = await post('/v1/leaderboards/ladder/scores', correction, `Bearer ${credential}`);
      expect(response.status).toBe(403);
    }
    const anonymous = await post('/v1/leaderboards/ladder/scores', correction);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('answers an unknown board with 404', async () => {
    const response = await post('/v1/leaderboards/nope/scores', correction, `Bearer ${ADMIN_KEY}`);
    expect(response.status).toBe(404);
  });
});
