import { describe, expect, test } from 'vitest';
import { TEST_MODES, TEST_SEAT_SECRET } from '../../test/lobby/support.ts';
import { SeatTokens } from '../game/seat-token.ts';
import { MemoryRoomDirectory } from '../store/memory/room-directory.ts';
import type { LiveNode, RoomDirectory } from '../store/rooms.ts';
import { NoCapacityError } from './errors.ts';
import { Seating } from './seating.ts';

const node = (nodeId: string, players: number, maxRooms: number) => ({
  nodeId,
  url: `ws://127.0.0.1:1/${nodeId}`,
  players,
  rooms: 0,
  maxRooms,
});

describe('Seating.createRoom', () => {
  /** A directory whose first `liveNodes` answer is `stale`: what a lobby read before another lobby acted. */
  const seatingOver = (directory: MemoryRoomDirectory, stale: LiveNode[], now: () => number) => {
    let first = true;
    const rooms: RoomDirectory = {
      heartbeat: (status, reports, ttlMs) => directory.heartbeat(status, reports, ttlMs),
      liveNodes: () => {
        if (!first) return directory.liveNodes();
        first = false;
        return Promise.resolve(stale);
      },
      create: (room, limits) => directory.create(room, limits),
      find: (by) => directory.find(by),
      listPublic: (mode, limit) => directory.listPublic(mode, limit),
      reserve: (roomId, playerId, expiresAt) => directory.reserve(roomId, playerId, expiresAt),
      reserveAll: (roomId, playerIds, expiresAt) => directory.reserveAll(roomId, playerIds, expiresAt),
    };
    return new Seating({
      rooms,
      tokens: new SeatTokens({ secret: TEST_SEAT_SECRET, now }),
      modes: TEST_MODES,
      now,
      seatTtlSeconds: 30,
    });
  };
  const request = { mode: 'arena', visibility: 'public', maxPlayers: 4, metadata: {} } as const;

  test('a node another lobby filled since it was picked is passed over for the next one', async () => {
    const now = () => Date.UTC(2026, 11, 2, 12);
    const directory = new MemoryRoomDirectory(now);
    await directory.heartbeat(node('quiet', 0, 1), [], 60_000);
    await directory.heartbeat(node('busy', 9, 10), [], 60_000);
    const stale = await directory.liveNodes();
    // Another lobby takes the quiet node's only room between this lobby's read and its creation.
    const taken = await new Seating({
      rooms: directory,
      tokens: new SeatTokens({ secret: TEST_SEAT_SECRET, now }),
      modes: TEST_MODES,
      now,
      seatTtlSeconds: 30,
    }).createRoom(request);
    expect(taken.nodeId).toBe('quiet');
    expect((await seatingOver(directory, stale, now).createRoom(request)).nodeId).toBe('busy');
  });

  test('no node left with room: NoCapacityError', async () => {
    const now = () => Date.UTC(2026, 11, 2, 12);
    const directory = new MemoryRoomDirectory(now);
    await directory.heartbeat(node('only', 0, 1), [], 60_000);
    const stale = await directory.liveNodes();
    await directory.create({
      ...request,
      roomId: 'r1',
      nodeId: 'only',
      code: undefined,
      options: {},
      createdBy: undefined,
      heldUntil: now() + 30_000,
    });
    await expect(seatingOver(directory, stale, now).createRoom(request)).rejects.toBeInstanceOf(
      NoCapacityError,
    );
  });
});
