/**
 * Dev seats and the node's room list (issue 9, item 6), over real HTTP and real WebSockets against
 * a whole Tickforge: dev seats are off unless asked for, take JSON only, stay in their own `dev-`
 * rooms and ids (a lobby player's seat and a private lobby room are out of reach), and the node's
 * GET /rooms answers only the server or admin key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../shared/client/game-client.ts';
import { startTestTickforge, type TestTickforge } from './support/tickforge.ts';

const SERVER_KEY = 'server-key-server-key-server-key-0123456';
const ADMIN_KEY = 'admin-key-admin-key-admin-key-admin-0123';

let tickforge: TestTickforge | undefined;
const clients: GameClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await tickforge?.close();
  tickforge = undefined;
});

const nodeUrl = (t: TestTickforge) => `http://127.0.0.1:${t.node.port}`;

function postDevSeat(t: TestTickforge, body: string, contentType?: string): Promise<Response> {
  return fetch(`${nodeUrl(t)}/dev/seats`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    body,
  });
}

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { type: string; errors?: { field: string; message: string }[] };
}

/** A guest in a private lobby room, connected to it. */
async function seatedGuest(t: TestTickforge, name: string) {
  const guest = await fetch(`${t.lobbyUrl}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const { playerId, accessToken } = (await guest.json()) as { playerId: string; accessToken: string };
  const created = await fetch(`${t.lobbyUrl}/v1/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'arena', visibility: 'private' }),
  });
  const { reservation } = (await created.json()) as {
    reservation: { url: string; seat: string; roomId: string };
  };
  const client = await GameClient.connect({
    url: reservation.url,
    seat: reservation.seat,
    pingIntervalMs: 0,
  });
  clients.push(client);
  return { playerId, accessToken, roomId: reservation.roomId, client };
}

describe('POST /dev/seats', () => {
  it('is not served unless TICKFORGE_DEV_SEATS=true', async () => {
    tickforge = await startTestTickforge();
    expect((await postDevSeat(tickforge, '{}', 'application/json')).status).toBe(404);
  });

  it('takes JSON only, so a cross-site form or text/plain post cannot reach it', async () => {
    tickforge = await startTestTickforge({ TICKFORGE_DEV_SEATS: 'true' });
    for (const [body, type] of [
      ['{"name":"eve"}', 'text/plain'],
      ['name=eve', 'application/x-www-form-urlencoded'],
      ['{"name":"eve"}', 'application/json; charset=latin1'],
      ['', undefined],
    ] as const) {
      const response = await postDevSeat(tickforge, body, type);
      expect(response.status, `${type}`).toBe(415);
      expect((await problemOf(response)).type).toBe('https://tickforge.dev/problems/unsupported-media-type');
    }
    expect((await postDevSeat(tickforge, '', 'application/json')).status).toBe(201);
    expect((await postDevSeat(tickforge, '{"name":"eve"}', 'application/json; charset=utf-8')).status).toBe(
      201,
    );
    expect(tickforge.node.registry.size).toBe(0); // a refused post made nothing
  });

  it('seats only in dev- rooms as dev- players: a lobby room and a lobby player are out of reach', async () => {
    tickforge = await startTestTickforge({ TICKFORGE_DEV_SEATS: 'true' });
    const ada = await seatedGuest(tickforge, 'ada');
    const refusals = [
      [{ roomId: ada.roomId }, ['/roomId']],
      [{ roomId: 'dev-anything', playerId: ada.playerId }, ['/playerId']],
      [{ roomId: ada.roomId, playerId: ada.playerId, name: 'ada' }, ['/roomId', '/playerId']],
    ] as const;
    for (const [body, fields] of refusals) {
      const response = await postDevSeat(tickforge, JSON.stringify(body), 'application/json');
      expect(response.status, JSON.stringify(body)).toBe(400);
      const problem = await problemOf(response);
      expect(problem.errors?.map((e) => e.field)).toEqual(fields);
      expect(problem.errors?.[0]?.message).toContain('must start with "dev-"');
    }
    // A dev seat of its own lands in a dev room as a dev player, beside ada's room, not in it.
    const response = await postDevSeat(tickforge, '{"name":"eve"}', 'application/json');
    expect(response.status).toBe(201);
    const dev = (await response.json()) as { url: string; seat: string; roomId: string; playerId: string };
    expect(dev.roomId).toMatch(/^dev-/);
    expect(dev.playerId).toMatch(/^dev-/);
    const eve = await GameClient.connect({ url: dev.url, seat: dev.seat, pingIntervalMs: 0 });
    clients.push(eve);
    expect([eve.roomId, eve.playerId]).toEqual([dev.roomId, dev.playerId]);
    expect(tickforge.node.registry.get(ada.roomId)?.seats.size).toBe(1);
    expect(ada.client.connected).toBe(true);
  });
});

describe("the node's GET /rooms", () => {
  it('answers the server or admin key only, since it names private rooms', async () => {
    tickforge = await startTestTickforge({
      TICKFORGE_SERVER_KEY: SERVER_KEY,
      TICKFORGE_ADMIN_KEY: ADMIN_KEY,
    });
    const ada = await seatedGuest(tickforge, 'ada');
    const rooms = (authorization?: string) =>
      fetch(`${nodeUrl(tickforge!)}/rooms`, { headers: authorization ? { authorization } : {} });
    for (const authorization of [
      undefined,
      'Bearer not-the-key',
      `Bearer ${ada.accessToken}`,
      `Basic ${SERVER_KEY}`,
      `Bearer ${SERVER_KEY}x`,
    ]) {
      const refused = await rooms(authorization);
      expect(refused.status, authorization).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      const body = await refused.text();
      expect(body).not.toContain(ada.roomId);
      expect(JSON.parse(body)).toMatchObject({ type: 'https://tickforge.dev/problems/unauthorized' });
    }
    for (const key of [SERVER_KEY, ADMIN_KEY]) {
      const listed = await rooms(`Bearer ${key}`);
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual({
        rooms: [
          {
            roomId: ada.roomId,
            mode: 'arena',
            players: 1,
            maxPlayers: 16,
            tick: expect.any(Number),
            ended: false,
            createdAt: expect.any(Number),
          },
        ],
      });
    }
  });
});
