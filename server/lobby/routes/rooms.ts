/** Handlers of the rooms (contracts in ../contracts/rooms.ts). */
import type { Context, Hono } from 'hono';
import { occupancy, type RoomRecord } from '../../store/rooms.ts';
import { roomRoutes } from '../contracts/rooms.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { modeOf } from '../modes.ts';
import { clientIp, DEFAULT_RATE_LIMITS } from '../rate-limit.ts';
import type { LobbyDeps, LobbyEnv, PlayerGuard } from '../types.ts';
import { validate } from '../validation.ts';

/** The wire shape of a room; the join code only for `withCode` (its members). */
export function roomInfo(room: RoomRecord, now: number, withCode: boolean) {
  return {
    roomId: room.roomId,
    mode: room.mode,
    visibility: room.visibility,
    ...(withCode && room.code !== undefined ? { code: room.code } : {}),
    players: occupancy(room, now),
    maxPlayers: room.maxPlayers,
    metadata: room.metadata,
    createdAt: room.createdAt,
  };
}

/** Mount GET/POST /v1/rooms and the two ways to take a seat. */
export function mountRoomRoutes(app: Hono<LobbyEnv>, deps: LobbyDeps, auth: PlayerGuard): void {
  const { list, create, join, joinByCode } = roomRoutes;
  const rooms = deps.store.rooms;
  const trustProxy = (deps.rateLimits ?? DEFAULT_RATE_LIMITS).trustProxy;

  const seatIn = async (c: Context<LobbyEnv>, room: RoomRecord | undefined, what: string) => {
    if (!room) throw new NotFoundError('room-not-found', `No open room has this ${what}.`);
    const { id, name } = c.var.player;
    const reservation = await deps.seating.seat(room, { id, name });
    const seated = (await rooms.find({ roomId: room.roomId })) ?? room;
    return c.json({ room: roomInfo(seated, deps.now(), true), reservation }, 201);
  };

  app.get(list.path, auth, validate('query', list.request.query), async (c) => {
    const { mode, limit } = c.req.valid('query');
    modeOf(deps.modes, mode, '/query/mode');
    const found = await rooms.listPublic(mode, limit ? Number(limit) : 20);
    const now = deps.now();
    return c.json({ rooms: found.map((room) => roomInfo(room, now, false)) });
  });

  app.post(create.path, auth, validate('json', create.request.body), async (c) => {
    const body = c.req.valid('json');
    const mode = modeOf(deps.modes, body.mode, '/body/mode');
    if (body.maxPlayers !== undefined && body.maxPlayers > mode.maxPlayers) {
      throw new ValidationError([
        { field: '/body/maxPlayers', message: `must be at most ${mode.maxPlayers} for ${mode.mode}` },
      ]);
    }
    const room = await deps.seating.createRoom({
      mode: mode.mode,
      visibility: body.visibility ?? 'public',
      maxPlayers: body.maxPlayers ?? mode.maxPlayers,
      metadata: body.metadata ?? {},
      createdBy: { playerId: c.var.player.id, address: clientIp(c, trustProxy) },
    });
    return seatIn(c, room, 'id');
  });

  app.post(join.path, auth, validate('param', join.request.params), async (c) => {
    const room = await rooms.find({ roomId: c.req.valid('param').roomId });
    // A private room is entered by its code; by id only by those already in it (a fresh seat
    // after a lost token). To anyone else it does not exist.
    const member = room && (room.seated.includes(c.var.player.id) || c.var.player.id in room.reservations);
    return seatIn(c, room?.visibility === 'private' && !member ? undefined : room, 'id');
  });

  app.post(joinByCode.path, auth, validate('param', joinByCode.request.params), async (c) =>
    seatIn(c, await rooms.find({ code: c.req.valid('param').code }), 'code'),
  );
}
