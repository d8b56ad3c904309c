import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARDS, PROBLEMS, startLeaderboardLobby } from './leaderboard-support.ts';
import { readProblem, startLobby, type TestLobby } from './support.ts';

let lobby: TestLobby;
beforeAll(async () => {
  lobby = await startLeaderboardLobby();
  // 25 players on `ladder`, scores 25..1 with a run of ties (p10..p12 share 15) to page through.
  for (let i = 1; i <= 25; i++) {
    const score = i >= 10 && i <= 12 ? 15 : 26 - i;
    await lobby.store.leaderboards.submit({
      boardId: 'ladder',
      playerId: `p${i}`,
      name: `P${i}`,
      score,
      key: `seed:${i}`,
    });
    lobby.clock.now += 1;
  }
});
afterAll(async () => {
  await lobby.close();
});

const get = (path: string) => fetch(`${lobby.url}${path}`);

describe('GET /v1/leaderboards/{boardId}/top', () => {
  it('pages through the whole board with no gap and no duplicate, ties included', async () => {
    const seen: { rank: number; playerId: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = cursor ? `?limit=10&cursor=${encodeURIComponent(cursor)}` : '?limit=10';
      const response = await get(`/v1/leaderboards/ladder/top${query}`);
      expect(response.status).toBe(200);
      const page = await response.json();
      expect(page).toMatchObject({ boardId: 'ladder', period: 'all' });
      seen.push(...page.records);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((r) => r.rank)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(seen.map((r) => r.playerId)).size).toBe(25);
    // Equal scores rank by who got there first.
    expect(seen.slice(9, 12).map((r) => r.playerId)).toEqual(['p10', 'p11', 'p12']);
  });

  it('answers 10 records by default, each with exactly the documented fields', async () => {
    const page = await (await get('/v1/leaderboards/ladder/top')).json();
    expect(page.records).toHaveLength(10);
    expect(page.records[0]).toEqual({
      rank: 1,
      playerId: 'p1',
      name: 'P1',
      score: 25,
      updatedAt: expect.any(Number),
    });
  });

  it.each(['0', '101', 'ten', '1.5'])('refuses limit=%s naming /query/limit', async (limit) => {
    const response = await get(`/v1/leaderboards/ladder/top?limit=${limit}`);
    expect(response.status).toBe(400);
    expect((await readProblem(response)).errors?.[0]?.field).toBe('/query/limit');
  });

  it('refuses a repeated query key, naming it, and ignores an empty & part', async () => {
    const repeated = await get('/v1/leaderboards/arena/top?limit=5&limit=6');
    expect(repeated.status).toBe(400);
    expect((await readProblem(repeated)).errors?.[0]?.field).toBe('/query/limit');
    expect((await get('/v1/leaderboards/arena/top?limit=5&')).status).toBe(200);
    expect((await get('/v1/leaderboards/arena/top?')).status).toBe(200);
  });

  it('refuses a forged cursor and one issued for another board, naming /query/cursor', async () => {
    const other = (await (await get('/v1/leaderboards/ladder/top?limit=1')).json()).nextCursor as string;
    await lobby.store.leaderboards.submit({ boardId: 'arena', playerId: 'x', name: 'x', score: 1, key: 'k' });
    for (const cursor of ['not-a-cursor', other]) {
      const response = await get(`/v1/leaderboards/arena/top?cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(400);
      const problem = await readProblem(response);
      expect(problem).toMatchObject({ type: `${PROBLEMS}/validation` });
      expect(problem.errors).toEqual([{ field: '/query/cursor', message: expect.any(String) }]);
    }
  });

  it('answers an unknown board with a 404 problem on every read', async () => {
    for (const path of ['top', 'around/p1', 'players/p1']) {
      const response = await get(`/v1/leaderboards/nope/${path}`);
      expect(response.status).toBe(404);
      expect(await readProblem(response)).toMatchObject({ type: `${PROBLEMS}/unknown-board` });
    }
  });
});

describe('GET /v1/leaderboards/{boardId}/around/{playerId}', () => {
  it('stays full at the top edge', async () => {
    const window = await (await get('/v1/leaderboards/ladder/around/p1?limit=5')).json();
    expect(window.period).toBe('all');
    expect(window.records.map((r: { rank: number }) => r.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it('centres on a player in the middle', async () => {
    const window = await (await get('/v1/leaderboards/ladder/around/p13?limit=5')).json();
    expect(window.records.map((r: { playerId: string }) => r.playerId)).toEqual([
      'p11',
      'p12',
      'p13',
      'p14',
      'p15',
    ]);
  });

  it('is empty for a player with no record, and refuses a bad limit', async () => {
    expect(await (await get('/v1/leaderboards/ladder/around/ghost')).json()).toEqual({
      boardId: 'ladder',
      period: 'all',
      records: [],
    });
    const response = await get('/v1/leaderboards/ladder/around/p1?limit=0');
    expect((await readProblem(response)).errors?.[0]?.field).toBe('/query/limit');
  });
});

describe('GET /v1/leaderboards/{boardId}/players/{playerId}', () => {
  it("answers the player's rank and score with the period", async () => {
    const response = await get('/v1/leaderboards/ladder/players/p13');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      boardId: 'ladder',
      period: 'all',
      record: { rank: 13, playerId: 'p13', name: 'P13', score: 13, updatedAt: expect.any(Number) },
    });
  });

  it('answers a player with no record this period with a 404 problem', async () => {
    const response = await get('/v1/leaderboards/ladder/players/ghost');
    expect(response.status).toBe(404);
    expect(await readProblem(response)).toMatchObject({ type: `${PROBLEMS}/no-record` });
  });
});

describe('daily reset', () => {
  it('starts the board over after midnight UTC by the injected clock', async () => {
    const daily = await startLobby({ boards: BOARDS });
    try {
      const submission = { boardId: 'arena-daily', playerId: 'dee', name: 'Dee', score: 7, key: 'd-1' };
      await daily.store.leaderboards.submit(submission);
      const today = await (await fetch(`${daily.url}/v1/leaderboards/arena-daily/top`)).json();
      expect(today).toMatchObject({ period: '2026-11-22', records: [{ playerId: 'dee', score: 7 }] });
      daily.clock.now = Date.UTC(2026, 10, 23, 0, 0, 1);
      const tomorrow = await (await fetch(`${daily.url}/v1/leaderboards/arena-daily/top`)).json();
      expect(tomorrow).toEqual({ boardId: 'arena-daily', period: '2026-11-23', records: [] });
      const standing = await fetch(`${daily.url}/v1/leaderboards/arena-daily/players/dee`);
      expect(standing.status).toBe(404);
    } finally {
      await daily.close();
    }
  });
});

describe('/openapi.json', () => {
  it('documents the write routes with their key schemes', async () => {
    const doc = await (await fetch(`${lobby.url}/openapi.json`)).json();
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer', 'serverKey', 'adminKey']);
    expect(doc.paths['/v1/matches'].post.security).toEqual([{ serverKey: [] }]);
    expect(doc.paths['/v1/leaderboards/{boardId}/scores'].post.security).toEqual([{ adminKey: [] }]);
    expect(Object.keys(doc.paths['/v1/matches'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403']),
    );
    expect(doc.paths['/v1/leaderboards/{boardId}/top'].get.security).toBeUndefined();
  });
});
