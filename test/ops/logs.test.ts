/**
 * Logs that connect: every lobby request logs one line with its request id (returned as
 * X-Request-Id; a sane incoming one is kept), the seat the lobby promises carries an id the game
 * node logs when the player joins and leaves, and no token or key ever reaches a log line.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../server/log.ts';
import { GameClient } from '../../shared/client/game-client.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';

const KEYS = {
  TICKFORGE_ADMIN_KEY: 'admin-key-that-must-never-be-logged-000',
  TICKFORGE_SERVER_KEY: 'server-key-that-must-never-be-logged-00',
  TICKFORGE_METRICS_TOKEN: 'metrics-token-never-logged',
  TICKFORGE_ACCESS_SECRET: 'access-secret-that-must-never-be-logged',
  TICKFORGE_SEAT_SECRET: 'seat-secret-that-must-never-be-logged-0',
};

type Line = Record<string, unknown> & { msg: string };
const raw: string[] = [];
const lines = (): Line[] => raw.map((line) => JSON.parse(line) as Line);
let tickforge: TestTickforge;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) raw.push(line);
      done();
    },
  });
  tickforge = await startTestTickforge(KEYS, createLogger('info', sink));
});
afterAll(async () => {
  await tickforge.close();
});

async function guest(name: string): Promise<{ playerId: string; accessToken: string }> {
  const response = await fetch(`${tickforge.lobbyUrl}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { playerId: string; accessToken: string };
}

describe('request ids', () => {
  it('each request logs one line with its id, route template and status, and returns the id', async () => {
    const response = await fetch(`${tickforge.lobbyUrl}/v1/leaderboards/arena/top?limit=5`);
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const mine = lines().filter((line) => line.reqId === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      msg: 'request',
      method: 'GET',
      route: '/v1/leaderboards/:boardId/top',
      status: 200,
      component: 'lobby',
    });
    expect(JSON.stringify(mine[0])).not.toContain('limit=5'); // no query strings
  });

  it('keeps a sane incoming X-Request-Id and replaces anything else', async () => {
    const kept = await fetch(`${tickforge.lobbyUrl}/health`, { headers: { 'x-request-id': 'edge-42.a:b' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-42.a:b');
    const replaced = await fetch(`${tickforge.lobbyUrl}/health`, {
      headers: { 'x-request-id': 'x'.repeat(200) },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const injected = await fetch(`${tickforge.lobbyUrl}/health`, { headers: { 'x-request-id': 'a b"c' } });
    expect(injected.headers.get('x-request-id')).not.toBe('a b"c');
  });
});

describe('seat ids', () => {
  it('the lobby logs the seat it promises and the node logs the same seat id on join and leave', async () => {
    const player = await guest('ada');
    const created = await fetch(`${tickforge.lobbyUrl}/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${player.accessToken}` },
      body: JSON.stringify({ mode: 'arena' }),
    });
    expect(created.status).toBe(201);
    const reqId = created.headers.get('x-request-id');
    const { reservation } = (await created.json()) as {
      reservation: { url: string; seat: string; seatId: string; roomId: string };
    };
    expect(reservation.seatId).toMatch(/^[0-9a-f-]{36}$/);
    const promised = lines().find(
      (line) => line.msg === 'seat promised' && line.seatId === reservation.seatId,
    );
    expect(promised).toMatchObject({ reqId, playerId: player.playerId, roomId: reservation.roomId });

    const client = await GameClient.connect({
      url: reservation.url,
      seat: reservation.seat,
      pingIntervalMs: 0,
    });
    const joined = lines().find((line) => line.msg === 'player joined' && line.seatId === reservation.seatId);
    expect(joined).toMatchObject({
      playerId: player.playerId,
      roomId: reservation.roomId,
      component: 'game',
    });
    client.close();
    await vi.waitFor(() => {
      const left = lines().find((line) => line.msg === 'player left' && line.seatId === reservation.seatId);
      expect(left).toMatchObject({ playerId: player.playerId, roomId: reservation.roomId });
    });
    // Nothing the player could replay is in the log: not the seat token, nor the access token.
    expect(raw.join('\n')).not.toContain(reservation.seat);
    expect(raw.join('\n')).not.toContain(player.accessToken);
  });
});

describe('secrets', () => {
  it('no key, secret or token reaches the log, even on requests that carry them', async () => {
    const player = await guest('bo');
    const lobby = tickforge.lobbyUrl;
    const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
    await fetch(`${lobby}/metrics`, { headers: bearer(KEYS.TICKFORGE_METRICS_TOKEN) });
    await fetch(`${lobby}/metrics`, { headers: bearer('a-wrong-metrics-token-here') });
    await fetch(`http://127.0.0.1:${tickforge.node.port}/metrics`, {
      headers: bearer(KEYS.TICKFORGE_METRICS_TOKEN),
    });
    await fetch(`${lobby}/v1/me`, { headers: bearer(player.accessToken) });
    await fetch(`${lobby}/v1/leaderboards/arena/scores`, {
      method: 'POST',
      headers: { ...bearer(KEYS.TICKFORGE_ADMIN_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ playerId: player.playerId, score: 5, key: 'k1' }),
    });
    await fetch(`${lobby}/v1/matches`, {
      method: 'POST',
      headers: { ...bearer(KEYS.TICKFORGE_SERVER_KEY), 'content-type': 'application/json' },
      body: '{"not":"a report"}',
    });
    await fetch(`${lobby}/v1/me?token=${player.accessToken}`);
    const text = raw.join('\n');
    expect(lines().filter((line) => line.msg === 'request').length).toBeGreaterThan(6);
    for (const secret of [...Object.values(KEYS), player.accessToken]) expect(text).not.toContain(secret);
  });
});
