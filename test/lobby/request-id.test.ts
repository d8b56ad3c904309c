/**
 * X-Request-Id on every kind of lobby answer over HTTP (where @hono/node-server's Node response
 * carries it): built with the context (c.json, c.body), thrown as a problem, unmatched, refused by
 * the body limit or a budget. Without that server (app.request) it goes through the context, and an
 * answer built with the context is passed on as built, not rebuilt to add the header (rebuilding
 * one turned its body into a stream, written by @hono/node-server's slow path).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BOARDS } from './leaderboard-support.ts';
import { postJson, startLobby, type TestLobby } from './support.ts';

let lobby: TestLobby | undefined;
afterEach(async () => {
  await lobby?.close();
  lobby = undefined;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  it('is on answers built with the context, thrown problems and unmatched routes', async () => {
    lobby = await startLobby({ boards: BOARDS, maxBodyBytes: 64 });
    const answers = {
      top: await fetch(`${lobby.url}/v1/leaderboards/arena/top?limit=10`),
      signUp: await postJson(`${lobby.url}/v1/auth/guest`, { name: 'ada' }),
      unknownBoard: await fetch(`${lobby.url}/v1/leaderboards/nope/top`),
      invalid: await fetch(`${lobby.url}/v1/leaderboards/arena/top?limit=0`),
      unmatched: await fetch(`${lobby.url}/v1/nothing-here`),
      tooLarge: await postJson(`${lobby.url}/v1/auth/guest`, { name: 'x'.repeat(100) }),
    };
    const statuses = Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]));
    expect(statuses).toEqual({
      top: 200,
      signUp: 201,
      unknownBoard: 404,
      invalid: 400,
      unmatched: 404,
      tooLarge: 413,
    });
    for (const answer of Object.values(answers)) expect(answer.headers.get('x-request-id')).toMatch(UUID);
    const ids = Object.values(answers).map((r) => r.headers.get('x-request-id'));
    expect(new Set(ids).size).toBe(ids.length);
    // The bodies are whole.
    expect(await answers.top.json()).toEqual({ boardId: 'arena', period: 'all', records: [] });
    expect((await answers.unknownBoard.json()).status).toBe(404);
  });

  it('is on 429s, and a sane incoming id comes back once, on successes and problems alike', async () => {
    lobby = await startLobby({
      boards: BOARDS,
      rateLimits: { ipPerMinute: 1, playerPerMinute: 0, guestPerMinute: 0, trustProxy: false },
    });
    const headers = { 'x-request-id': 'edge-7' };
    const first = await fetch(`${lobby.url}/v1/leaderboards/arena/top`, { headers });
    const limited = await fetch(`${lobby.url}/v1/leaderboards/arena/top`, { headers });
    expect([first.status, limited.status]).toEqual([200, 429]);
    expect(first.headers.get('x-request-id')).toBe('edge-7');
    expect(limited.headers.get('x-request-id')).toBe('edge-7');
    expect((await fetch(`${lobby.url}/v1/leaderboards/arena/top`)).headers.get('x-request-id')).toMatch(UUID);
  });

  it('passes an answer built with the context on as built', async () => {
    lobby = await startLobby();
    let built: Response | undefined;
    lobby.app.get('/v1/test-built', (c) => {
      built = c.body('{"ok":true}', 200, { 'content-type': 'application/json' });
      return built;
    });
    const answer = await lobby.app.request('/v1/test-built');
    expect(answer).toBe(built);
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
  });
});
