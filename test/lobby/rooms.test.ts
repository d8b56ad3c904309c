/** Rooms over real HTTP: create (public/private), list, join by id or code, and every refusal. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProblem, signUp, startLobby, type TestLobby, type TestPlayer } from './support.ts';

let lobby: TestLobby;
let ada: TestPlayer;
let bo: TestPlayer;
beforeEach(async () => {
  lobby = await startLobby();
  await lobby.heartbeat();
  ada = await signUp(lobby, 'ada');
  bo = await signUp(lobby, 'bo');
});
afterEach(async () => {
  await lobby.close();
});

interface RoomSeat {
  room: { roomId: string; code?: string; players: number; maxPlayers: number; visibility: string };
  reservation: {
    url: string;
    seat: string;
    roomId: string;
    playerId: string;
    expiresAt: number;
    seatId: string;
  };
}

const create = async (player: TestPlayer, body: object): Promise<RoomSeat> => {
  const response = await player.call('POST', '/v1/rooms', body);
  expect(response.status).toBe(201);
  return (await response.json()) as RoomSeat;
};

describe('POST /v1/rooms', () => {
  it('creates a public room on a live node and seats its creator with a token the node accepts', async () => {
    const { room, reservation } = await create(ada, { mode: 'arena', metadata: { map: 'dunes' } });
    expect(room).toEqual({
      roomId: expect.any(String),
      mode: 'arena',
      visibility: 'public',
      players: 1,
      maxPlayers: 4,
      metadata: { map: 'dunes' },
      createdAt: lobby.clock.now,
    });
    expect(reservation).toEqual({
      url: 'ws://127.0.0.1:1/node-1',
      seat: expect.any(String),
      roomId: room.roomId,
      playerId: ada.playerId,
      mode: 'arena',
      nodeId: 'node-1',
      expiresAt: lobby.clock.now + 30_000,
      seatId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const claims = await lobby.seatTokens.verifySeat(reservation.seat, 'node-1');
    expect(claims).toMatchObject({
      seatId: reservation.seatId,
      playerId: ada.playerId,
      name: 'ada',
      roomId: room.roomId,
      mode: 'arena',
      maxPlayers: 4,
      options: { matchSeconds: 3 },
    });
  });

  it('gives a private room a join code, shows it to members only, and keeps it out of listings', async () => {
    const { room } = await create(ada, { mode: 'arena', visibility: 'private', maxPlayers: 2 });
    expect(room.code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    const listed = await (await bo.call('GET', '/v1/rooms?mode=arena')).json();
    expect(listed).toEqual({ rooms: [] });
    const joined = await bo.call('POST', `/v1/room-codes/${room.code}/seats`);
    expect(joined.status).toBe(201);
    const body = (await joined.json()) as RoomSeat;
    expect(body.room).toMatchObject({ roomId: room.roomId, code: room.code, players: 2, maxPlayers: 2 });
    expect(body.reservation.playerId).toBe(bo.playerId);
  });

  it('lets only its members into a private room by id; everyone else needs the code', async () => {
    const { room } = await create(ada, { mode: 'arena', visibility: 'private' });
    const stranger = await bo.call('POST', `/v1/rooms/${room.roomId}/seats`);
    expect(stranger.status).toBe(404);
    expect(await readProblem(stranger)).toMatchObject({
      type: 'https://tickforge.dev/problems/room-not-found',
    });
    // The creator asking again (a lost token) gets a fresh seat by id.
    expect((await ada.call('POST', `/v1/rooms/${room.roomId}/seats`)).status).toBe(201);
    expect((await bo.call('POST', `/v1/room-codes/${room.code}/seats`)).status).toBe(201);
    expect((await bo.call('POST', `/v1/rooms/${room.roomId}/seats`)).status).toBe(201);
  });

  it('refuses an unknown mode, too many seats, bad metadata and unknown fields, naming the field', async () => {
    const cases: [object, string][] = [
      [{ mode: 'chess' }, '/body/mode'],
      [{ mode: 'arena', maxPlayers: 5 }, '/body/maxPlayers'],
      [{ mode: 'arena', maxPlayers: 0 }, '/body/maxPlayers'],
      [{ mode: 'arena', visibility: 'secret' }, '/body/visibility'],
      [{ mode: 'arena', metadata: { map: 7 } }, '/body/metadata/map'],
      [{ mode: 'arena', owner: 'me' }, '/body/owner'],
    ];
    for (const [body, field] of cases) {
      const response = await ada.call('POST', '/v1/rooms', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await readProblem(response)).errors?.map((e) => e.field)).toContain(field);
    }
  });

  it('answers 503 when no game node is alive', async () => {
    lobby.clock.now += 3_600_000; // the fake node's heartbeat ran out
    const response = await ada.call('POST', '/v1/rooms', { mode: 'arena' });
    expect(response.status).toBe(503);
    expect(await readProblem(response)).toMatchObject({
      type: 'https://tickforge.dev/problems/no-game-node',
    });
  });

  it('needs an access token', async () => {
    const response = await fetch(`${lobby.url}/v1/rooms`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });
});

describe('GET /v1/rooms', () => {
  it('lists public rooms of the mode with their player counts, rooms with a free seat first', async () => {
    const small = await create(ada, { mode: 'arena', maxPlayers: 1 });
    const open = await create(bo, { mode: 'arena', metadata: { region: 'eu' } });
    const response = await ada.call('GET', '/v1/rooms?mode=arena&limit=10');
    expect(response.status).toBe(200);
    const { rooms } = (await response.json()) as { rooms: RoomSeat['room'][] };
    expect(rooms.map((r) => [r.roomId, r.players, r.maxPlayers])).toEqual([
      [open.room.roomId, 1, 4],
      [small.room.roomId, 1, 1],
    ]);
    expect(rooms[0]).not.toHaveProperty('code');
    const unknown = await ada.call('GET', '/v1/rooms?mode=other');
    expect(unknown.status).toBe(400);
    expect((await readProblem(unknown)).errors?.[0]?.field).toBe('/query/mode');
  });

  it('refuses a missing mode and a bad limit', async () => {
    for (const [query, field] of [
      ['', '/query/mode'],
      ['?mode=arena&limit=0', '/query/limit'],
      ['?mode=arena&limit=abc', '/query/limit'],
    ]) {
      const response = await ada.call('GET', `/v1/rooms${query}`);
      expect(response.status).toBe(400);
      expect((await readProblem(response)).errors?.[0]?.field).toBe(field);
    }
  });
});

describe('POST /v1/rooms/:roomId/seats', () => {
  it('seats players until the room is full, then answers 409; the same player again is no new seat', async () => {
    const { room } = await create(ada, { mode: 'arena', maxPlayers: 2 });
    expect((await bo.call('POST', `/v1/rooms/${room.roomId}/seats`)).status).toBe(201);
    expect((await ada.call('POST', `/v1/rooms/${room.roomId}/seats`)).status).toBe(201);
    const cy = await signUp(lobby, 'cy');
    const full = await cy.call('POST', `/v1/rooms/${room.roomId}/seats`);
    expect(full.status).toBe(409);
    expect(await readProblem(full)).toMatchObject({ type: 'https://tickforge.dev/problems/room-full' });
  });

  it('frees a promised seat whose token expired unused', async () => {
    const { room } = await create(ada, { mode: 'arena', maxPlayers: 1 });
    await lobby.store.rooms.heartbeat(
      { nodeId: 'node-1', url: 'ws://127.0.0.1:1/node-1', players: 0, rooms: 1, maxRooms: 100 },
      [{ roomId: room.roomId, players: [], ended: false }], // the node has the room (someone left)
      3_600_000,
    );
    expect((await bo.call('POST', `/v1/rooms/${room.roomId}/seats`)).status).toBe(409);
    lobby.clock.now += 30_000;
    expect((await bo.call('POST', `/v1/rooms/${room.roomId}/seats`)).status).toBe(201);
  });

  it('finds a room again once its node reports it, though it was looked up after its creation hold', async () => {
    const { room, reservation } = await create(ada, { mode: 'arena', visibility: 'private' });
    // Ada connects a moment before her seat token expires: the node makes the room then, and says
    // so at its next heartbeat (every second). Bo tries the code in between: not known yet.
    lobby.clock.now = reservation.expiresAt + 100;
    expect((await bo.call('POST', `/v1/room-codes/${room.code}/seats`)).status).toBe(404);
    await lobby.store.rooms.heartbeat(
      { nodeId: 'node-1', url: 'ws://127.0.0.1:1/node-1', players: 1, rooms: 1, maxRooms: 100 },
      [{ roomId: room.roomId, players: [ada.playerId], ended: false }],
      3_600_000,
    );
    // The room is there, with Ada in it: it must not have been forgotten by that lookup.
    const joined = await bo.call('POST', `/v1/room-codes/${room.code}/seats`);
    expect(joined.status).toBe(201);
    expect(((await joined.json()) as RoomSeat).room).toMatchObject({ roomId: room.roomId, players: 2 });
  });

  it('answers 404 for an unknown room or code, 410 for an ended match, 400 for a malformed id or code', async () => {
    const missing = await ada.call('POST', '/v1/rooms/no-such-room/seats');
    expect(missing.status).toBe(404);
    expect(await readProblem(missing)).toMatchObject({
      type: 'https://tickforge.dev/problems/room-not-found',
    });
    expect((await ada.call('POST', '/v1/room-codes/ABCDEF/seats')).status).toBe(404);
    expect((await ada.call('POST', '/v1/room-codes/abc/seats')).status).toBe(400);
    expect((await ada.call('POST', `/v1/rooms/${'x'.repeat(65)}/seats`)).status).toBe(400);

    const { room } = await create(ada, { mode: 'arena' });
    await lobby.store.rooms.heartbeat(
      { nodeId: 'node-1', url: 'ws://127.0.0.1:1/node-1', players: 1, rooms: 1, maxRooms: 100 },
      [{ roomId: room.roomId, players: [ada.playerId], ended: true }],
      3_600_000,
    );
    const ended = await bo.call('POST', `/v1/rooms/${room.roomId}/seats`);
    expect(ended.status).toBe(410);
    expect(await readProblem(ended)).toMatchObject({ type: 'https://tickforge.dev/problems/room-ended' });
  });
});

describe('node choice', () => {
  it('puts new rooms on the least-loaded live node', async () => {
    await lobby.store.rooms.heartbeat(
      { nodeId: 'node-1', url: 'ws://a/ws', players: 10, rooms: 2, maxRooms: 100 },
      [],
      3_600_000,
    );
    await lobby.store.rooms.heartbeat(
      { nodeId: 'node-2', url: 'ws://b/ws', players: 3, rooms: 1, maxRooms: 100 },
      [],
      3_600_000,
    );
    await lobby.store.rooms.heartbeat(
      { nodeId: 'node-3', url: 'ws://c/ws', players: 0, rooms: 5, maxRooms: 5 },
      [],
      3_600_000,
    );
    const { reservation } = await create(ada, { mode: 'arena' });
    expect(reservation).toMatchObject({ nodeId: 'node-2', url: 'ws://b/ws' });
  });
});

describe('live rooms per creator', () => {
  beforeEach(async () => {
    await lobby.close();
    lobby = await startLobby({ roomLimits: { perPlayer: 2, perAddress: 3 } });
    await lobby.heartbeat();
    ada = await signUp(lobby, 'ada');
    bo = await signUp(lobby, 'bo');
  });

  it('refuses a player past its live rooms, then its address, with a problem naming the limit', async () => {
    await create(ada, { mode: 'arena', visibility: 'private' });
    const open = await create(ada, { mode: 'arena' });
    const third = await ada.call('POST', '/v1/rooms', { mode: 'arena' });
    expect(third.status).toBe(409);
    expect(await readProblem(third)).toMatchObject({
      type: 'https://tickforge.dev/problems/player-room-limit',
      title: 'Too many rooms',
      detail: expect.stringContaining('2 live rooms, the most one player may have'),
    });
    await create(bo, { mode: 'arena' }); // the address's third
    const fourth = await bo.call('POST', '/v1/rooms', { mode: 'arena' });
    expect(fourth.status).toBe(409);
    expect(await readProblem(fourth)).toMatchObject({
      type: 'https://tickforge.dev/problems/ip-room-limit',
      detail: expect.stringContaining('3 live rooms, the most one address may have'),
    });
    // Taking a seat in someone else's room is not creating one: never capped this way.
    expect((await bo.call('POST', `/v1/rooms/${open.room.roomId}/seats`)).status).toBe(201);
  });

  it('a room nobody joined is gone when its last seat promise lapses, and stops counting then', async () => {
    const first = await create(ada, { mode: 'arena' });
    const second = await create(ada, { mode: 'arena' });
    expect((await ada.call('POST', '/v1/rooms', { mode: 'arena' })).status).toBe(409);
    lobby.clock.now += 29_999;
    expect((await bo.call('POST', `/v1/rooms/${first.room.roomId}/seats`)).status).toBe(201);
    lobby.clock.now += 1; // no heartbeat needed: nobody came to the second room, so it is gone
    expect((await bo.call('POST', `/v1/rooms/${second.room.roomId}/seats`)).status).toBe(404);
    await create(ada, { mode: 'arena' });
    // The first room is still held by bo's promise.
    expect((await ada.call('POST', '/v1/rooms', { mode: 'arena' })).status).toBe(409);
    lobby.clock.now += 29_000; // bo never came either
    expect((await bo.call('POST', `/v1/rooms/${first.room.roomId}/seats`)).status).toBe(404);
    expect((await ada.call('POST', '/v1/rooms', { mode: 'arena' })).status).toBe(201);
  });
});
