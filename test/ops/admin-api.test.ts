/**
 * The admin API against a whole Tickforge (lobby, embedded store, a real game node) with two
 * players in a room: nodes with tick timings, rooms per node, a room's live entities and players'
 * round trips read from the node, kick (4012), dispose (4011), drain, queues, boards and players.
 * Every admin route, taken from the route table, refuses a missing key, a player token and the
 * server key. Every action is logged with its operator.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GameNode } from '../../server/game/game-node.ts';
import { SeatTokens } from '../../server/game/seat-token.ts';
import { arena } from '../../server/games/arena/index.ts';
import { adminRoutes } from '../../server/lobby/contracts/admin.ts';
import { createLogger } from '../../server/log.ts';
import { GameClient } from '../../shared/client/game-client.ts';
import { CloseCode } from '../../shared/protocol/codes.ts';
import { testGameConfig } from '../support/game.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';

const ADMIN_KEY = 'an-admin-key-for-the-admin-api-tests';
const SEAT_SECRET = 'a-seat-secret-for-the-admin-api-tests';
const SERVER_KEY = 'a-server-key-for-the-admin-api-tests';
const raw: string[] = [];
let tickforge: TestTickforge;
const clients: GameClient[] = [];

interface Seat {
  url: string;
  seat: string;
  roomId: string;
  playerId: string;
}
interface Guest {
  playerId: string;
  accessToken: string;
}

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${tickforge.lobbyUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      'x-tickforge-operator': 'ops-test',
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });
async function guest(name: string): Promise<Guest> {
  const response = await fetch(`${tickforge.lobbyUrl}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return (await response.json()) as Guest;
}
const asPlayer = (player: Guest, path: string, body?: unknown) =>
  fetch(`${tickforge.lobbyUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${player.accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
async function play(seat: Seat): Promise<{ client: GameClient; closed: Promise<number> }> {
  const client = await GameClient.connect({ url: seat.url, seat: seat.seat, pingIntervalMs: 0 });
  clients.push(client);
  const closed = new Promise<number>((resolve) => client.once('close', ({ code }) => resolve(code)));
  return { client, closed };
}

let ada: Guest;
let bo: Guest;
let roomId = '';
let adaGame: Awaited<ReturnType<typeof play>>;
let boGame: Awaited<ReturnType<typeof play>>;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) raw.push(line);
      done();
    },
  });
  tickforge = await startTestTickforge(
    {
      TICKFORGE_ADMIN_KEY: ADMIN_KEY,
      TICKFORGE_SERVER_KEY: SERVER_KEY,
      TICKFORGE_SEAT_SECRET: SEAT_SECRET,
      TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":600}}',
    },
    createLogger('info', sink),
  );
  ada = await guest('ada');
  bo = await guest('bo');
  const created = (await (await asPlayer(ada, '/v1/rooms', { mode: 'arena' })).json()) as {
    reservation: Seat;
  };
  roomId = created.reservation.roomId;
  adaGame = await play(created.reservation);
  const joined = (await (await asPlayer(bo, `/v1/rooms/${roomId}/seats`, {})).json()) as {
    reservation: Seat;
  };
  boGame = await play(joined.reservation);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await tickforge.close();
});

/** Each admin route with its params filled in and a body that passes validation. */
const calls = Object.values(adminRoutes).map((route) => ({
  route,
  path: route.path
    .replace(':roomId', 'some-room')
    .replace(':nodeId', 'node-1')
    .replace(':boardId', 'arena')
    .replace(':playerId', 'p1'),
  body: route.method === 'post' ? JSON.stringify({ playerId: 'p1' }) : undefined,
}));

describe('admin routes refuse anyone but an operator', () => {
  it.each(calls)('$route.method $route.path', async ({ route, path, body }) => {
    const request = (headers: Record<string, string>) =>
      fetch(`${tickforge.lobbyUrl}${path}`, {
        method: route.method.toUpperCase(),
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      });
    expect((await request({})).status).toBe(401);
    expect((await request({ authorization: `Bearer ${ada.accessToken}` })).status).toBe(403);
    expect((await request({ authorization: `Bearer ${SERVER_KEY}` })).status).toBe(403);
    expect((await request({ authorization: 'Bearer not-a-key-at-all-not-a-key' })).status).toBe(401);
    expect(route.key).toBe('adminKey');
  });

  it('documents every admin route in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${tickforge.lobbyUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    for (const route of Object.values(adminRoutes)) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method]?.security).toEqual([{ adminKey: [] }]);
    }
  });
});

describe('reading a live deployment', () => {
  it('lists nodes with load, tick timings and state', async () => {
    await vi.waitFor(async () => {
      const { nodes } = (await (await admin('/v1/admin/nodes')).json()) as {
        nodes: { nodeId: string; state: string; players: number; tick?: { count: number } }[];
      };
      expect(nodes).toHaveLength(1);
      expect(nodes[0]).toMatchObject({ nodeId: 'node-1', state: 'live', players: 2 });
      expect(nodes[0]?.tick?.count).toBeGreaterThan(0);
    });
  });

  it('lists the rooms of every node with mode, players and age', async () => {
    const { rooms } = (await (await admin('/v1/admin/rooms')).json()) as {
      rooms: { roomId: string; nodeId: string; mode: string; players: number; ageSeconds: number }[];
    };
    expect(rooms).toContainEqual(
      expect.objectContaining({
        roomId,
        nodeId: 'node-1',
        mode: 'arena',
        players: 2,
        ageSeconds: expect.any(Number),
      }),
    );
    const other = (await (await admin('/v1/admin/rooms?nodeId=node-9')).json()) as { rooms: unknown[] };
    expect(other.rooms).toEqual([]);
  });

  it("opens a room: its live entities and its players' round trips, from the node", async () => {
    const response = await admin(`/v1/admin/rooms/${roomId}`);
    expect(response.status).toBe(200);
    const room = (await response.json()) as {
      mode: string;
      nodeId: string;
      entityCount: number;
      entities: { id: number; type: string }[];
      players: { playerId: string; connected: boolean; rttMs?: number; seatId: string }[];
    };
    expect(room).toMatchObject({ mode: 'arena', nodeId: 'node-1', visibility: 'public' });
    expect(room.entityCount).toBeGreaterThan(0);
    expect(room.entities[0]).toMatchObject({ id: expect.any(Number), type: expect.any(String) });
    expect(room.players.map((p) => p.playerId).sort()).toEqual([ada.playerId, bo.playerId].sort());
    for (const player of room.players) {
      expect(player.connected).toBe(true);
      expect(player.rttMs).toBeGreaterThanOrEqual(0);
      expect(player.seatId).not.toBe('');
    }
    expect((await admin('/v1/admin/rooms/no-such-room')).status).toBe(404);
  });

  it('shows matchmaking queues per mode and region', async () => {
    const cy = await guest('cy');
    const queued = await asPlayer(cy, '/v1/matchmaking/tickets', { mode: 'arena', region: 'eu-west' });
    expect(queued.status).toBe(201);
    const { queues } = (await (await admin('/v1/admin/matchmaking/queues')).json()) as { queues: unknown[] };
    expect(queues).toContainEqual(
      expect.objectContaining({ mode: 'arena', region: 'eu-west', tickets: 1, players: 1 }),
    );
  });

  it('finds players by the start of their name, any case, bounded; a bad query is a 400 naming the field', async () => {
    const adaLovelace = await guest('Ada Lovelace');
    const found = (await (await admin('/v1/admin/players?name=ADA')).json()) as {
      players: { playerId: string; name: string; createdAt: number }[];
    };
    expect(found.players.map((p) => [p.playerId, p.name])).toEqual([
      [ada.playerId, 'ada'],
      [adaLovelace.playerId, 'Ada Lovelace'],
    ]);
    const one = (await (await admin('/v1/admin/players?name=ada&limit=1')).json()) as {
      players: { playerId: string }[];
    };
    expect(one.players.map((p) => p.playerId)).toEqual([ada.playerId]);
    expect(
      ((await (await admin('/v1/admin/players?name=nobody')).json()) as { players: [] }).players,
    ).toEqual([]);
    for (const bad of ['', '?name=', '?name=ada&limit=21', '?name=ada&limit=0']) {
      const refused = await admin(`/v1/admin/players${bad}`);
      expect(refused.status, bad).toBe(400);
      const problem = (await refused.json()) as { errors?: { name?: string; pointer?: string }[] };
      expect(JSON.stringify(problem.errors), bad).toMatch(bad.includes('limit') ? /limit/ : /name/);
    }
  });

  it('lists boards, browses one with cursors and finds a player with their records', async () => {
    const { boards } = (await (await admin('/v1/admin/leaderboards')).json()) as {
      boards: { boardId: string }[];
    };
    expect(boards.map((b) => b.boardId)).toEqual(['arena', 'arena-weekly']);
    for (const [i, player] of [ada, bo].entries()) {
      const scored = await admin('/v1/leaderboards/arena/scores', {
        method: 'POST',
        body: JSON.stringify({
          playerId: player.playerId,
          name: i ? 'bo' : 'ada',
          score: 10 + i,
          key: `k${i}`,
        }),
      });
      expect(scored.status).toBe(200);
    }
    const first = (await (await admin('/v1/admin/leaderboards/arena?limit=1')).json()) as {
      records: { playerId: string }[];
      nextCursor?: string;
    };
    expect(first.records.map((r) => r.playerId)).toEqual([bo.playerId]);
    const second = (await (
      await admin(`/v1/admin/leaderboards/arena?limit=1&cursor=${encodeURIComponent(first.nextCursor ?? '')}`)
    ).json()) as { records: { playerId: string }[] };
    expect(second.records.map((r) => r.playerId)).toEqual([ada.playerId]);
    const found = (await (await admin(`/v1/admin/players/${ada.playerId}`)).json()) as {
      name: string;
      records: { boardId: string; record: { score: number } }[];
    };
    expect(found.name).toBe('ada');
    expect(found.records).toContainEqual(
      expect.objectContaining({ boardId: 'arena', record: expect.objectContaining({ score: 10 }) }),
    );
    expect((await admin('/v1/admin/players/nobody')).status).toBe(404);

    const removed = await admin(`/v1/admin/leaderboards/arena/records/${bo.playerId}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    const after = (await (await admin('/v1/admin/leaderboards/arena')).json()) as {
      records: { playerId: string }[];
    };
    expect(after.records.map((r) => r.playerId)).toEqual([ada.playerId]);
    expect(
      (await admin(`/v1/admin/leaderboards/arena/records/${bo.playerId}`, { method: 'DELETE' })).status,
    ).toBe(404);
    const reset = await admin('/v1/admin/leaderboards/arena/reset', { method: 'POST' });
    expect(await reset.json()).toEqual({ action: 'reset-board', target: 'arena', removed: 1 });
    const empty = (await (await admin('/v1/admin/leaderboards/arena')).json()) as { records: unknown[] };
    expect(empty.records).toEqual([]);
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'admin: reset-board',
        operator: 'ops-test',
        boardId: 'arena',
        removed: 1,
      }),
    );
    expect((await admin('/v1/admin/leaderboards/nope/reset', { method: 'POST' })).status).toBe(404);
  });
});

describe('a cluster: every node that heartbeats the room directory', () => {
  it('lists a second game node, its rooms, and a node gone quiet as silent', async () => {
    const second = await GameNode.start({
      // Behind a players' proxy the lobby cannot reach: it is read at the address it listens on.
      config: testGameConfig({ nodeId: 'node-2', publicUrl: 'wss://127.0.0.1:9/node-2/ws' }),
      log: pino({ level: 'silent' }),
      tokens: new SeatTokens({ secret: new TextEncoder().encode(SEAT_SECRET) }),
      rooms: [arena],
      directory: tickforge.store.rooms,
      adminKeys: [ADMIN_KEY],
      heartbeatMs: 100,
    });
    try {
      // A node whose heartbeat is still within its TTL but whose admin routes do not answer.
      await tickforge.store.rooms.heartbeat(
        { nodeId: 'node-gone', url: 'ws://127.0.0.1:9/ws', players: 0, rooms: 0, maxRooms: 10 },
        [],
        60_000,
      );
      const { nodes } = (await (await admin('/v1/admin/nodes')).json()) as {
        nodes: { nodeId: string; state: string; tick?: unknown; url: string }[];
      };
      const states = Object.fromEntries(nodes.map((n) => [n.nodeId, n.state]));
      expect(states).toEqual({ 'node-1': 'live', 'node-2': 'live', 'node-gone': 'silent' });
      expect(nodes.find((n) => n.nodeId === 'node-2')?.tick).toBeDefined();
      expect(nodes.find((n) => n.nodeId === 'node-2')).toMatchObject({ url: 'wss://127.0.0.1:9/node-2/ws' });
      const [announced] = (await tickforge.store.rooms.liveNodes()).filter((n) => n.nodeId === 'node-2');
      expect(announced).toMatchObject({ adminUrl: `http://127.0.0.1:${second.port}`, heartbeatMs: 100 });
      const onSecond = (await (await admin('/v1/admin/rooms?nodeId=node-2')).json()) as { rooms: unknown[] };
      expect(onSecond.rooms).toEqual([]);
    } finally {
      await second.stop(); // leaves the directory
      await tickforge.store.rooms.heartbeat(
        { nodeId: 'node-gone', url: 'ws://127.0.0.1:9/ws', players: 0, rooms: 0, maxRooms: 10 },
        [],
        1,
      );
    }
  });
});

describe('acting on it', () => {
  it('kicks a player: the socket closes with 4012 and the action is logged with its operator', async () => {
    const response = await admin(`/v1/admin/rooms/${roomId}/kick`, {
      method: 'POST',
      body: JSON.stringify({ playerId: bo.playerId }),
      headers: { 'x-request-id': 'kick-trace-1' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      action: 'kick',
      target: bo.playerId,
      closeCode: CloseCode.KICKED,
    });
    expect(await boGame.closed).toBe(CloseCode.KICKED);
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'admin: kick',
        operator: 'ops-test',
        roomId,
        playerId: bo.playerId,
        outcome: 'done',
      }),
    );
    expect(lines).toContainEqual(
      // The node's line names the lobby request that caused it: one action, followed across both.
      expect.objectContaining({
        msg: 'admin: player kicked',
        operator: 'ops-test',
        component: 'game',
        reqId: 'kick-trace-1',
      }),
    );
    const again = await admin(`/v1/admin/rooms/${roomId}/kick`, {
      method: 'POST',
      body: JSON.stringify({ playerId: bo.playerId }),
    });
    expect(again.status).toBe(404);
  });

  it('disposes a room: its players get 4011, and a seat promised before cannot bring it back', async () => {
    // Cy holds a seat the lobby promised just before the operator closed the room.
    const cy = await guest('cy');
    const promised = (await (await asPlayer(cy, `/v1/rooms/${roomId}/seats`, {})).json()) as {
      reservation: Seat;
    };
    const response = await admin(`/v1/admin/rooms/${roomId}/dispose`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await adaGame.closed).toBe(CloseCode.ROOM_CLOSED);
    expect((await admin(`/v1/admin/rooms/${roomId}`)).status).toBe(404);

    const late = GameClient.connect({
      url: promised.reservation.url,
      seat: promised.reservation.seat,
      pingIntervalMs: 0,
    });
    late.then((client) => clients.push(client)).catch(() => undefined);
    await expect(late).rejects.toThrow(); // refused with 410: the room was closed by an operator
    expect((await admin(`/v1/admin/rooms/${roomId}`)).status).toBe(404);
  });

  it('drains a node: it shows as draining and takes no new room', async () => {
    expect((await admin('/v1/admin/nodes/node-1/drain', { method: 'POST' })).status).toBe(200);
    const { nodes } = (await (await admin('/v1/admin/nodes')).json()) as { nodes: { state: string }[] };
    expect(nodes[0]?.state).toBe('draining');
    await vi.waitFor(async () => {
      const refused = await asPlayer(ada, '/v1/rooms', { mode: 'arena' });
      expect(refused.status).toBe(503);
    });
    expect((await admin('/v1/admin/nodes/node-9/drain', { method: 'POST' })).status).toBe(404);
  });

  it('undrains a node: it shows as live and takes new rooms again, logged with the operator', async () => {
    const response = await admin('/v1/admin/nodes/node-1/undrain', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ action: 'undrain', target: 'node-1' });
    const { nodes } = (await (await admin('/v1/admin/nodes')).json()) as { nodes: { state: string }[] };
    expect(nodes[0]?.state).toBe('live');
    const cy = await guest('cy');
    let seat: Seat | undefined;
    await vi.waitFor(async () => {
      // The directory hears of it with the node's next heartbeat.
      const created = await asPlayer(cy, '/v1/rooms', { mode: 'arena' });
      expect(created.status).toBe(201);
      seat = ((await created.json()) as { reservation: Seat }).reservation;
    }, 5000);
    // The node itself takes the new room: the player gets in.
    await play(seat as Seat);
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'admin: undrain',
        operator: 'ops-test',
        nodeId: 'node-1',
        outcome: 'done',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'admin: node undrained', operator: 'ops-test', component: 'game' }),
    );
    expect((await admin('/v1/admin/nodes/node-9/undrain', { method: 'POST' })).status).toBe(404);
  });
});
