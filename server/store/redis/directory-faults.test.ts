/**
 * The Redis room directory under operator mistakes and faults that the store contract does not
 * model: two game node processes configured with one node id.
 */
import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { NodeIdTakenError } from '../errors.ts';
import type { Store } from '../types.ts';
import { openRedisStore } from './index.ts';

describe.skipIf(skipRedis())('Redis room directory faults', () => {
  const redis = useRedisServer();
  let namespaces = 0;

  const open = (prefix: string, now: () => number): Promise<Store> =>
    openRedisStore({ url: redis.server.url, prefix, now });

  test('a second live node with the same node id is refused and leaves the first one alone', async () => {
    let now = Date.UTC(2026, 11, 2, 12);
    const prefix = `dup-${++namespaces}`;
    const lobby = await open(prefix, () => now);
    const other = await open(prefix, () => now);
    try {
      const first = { nodeId: 'node-a', url: 'ws://10.0.0.1:2567/ws', players: 0, rooms: 0, maxRooms: 9 };
      const second = { ...first, url: 'ws://10.0.0.2:2567/ws' };
      await lobby.rooms.heartbeat(first, [], 3000);
      const room = {
        roomId: 'r1',
        mode: 'arena',
        nodeId: 'node-a',
        visibility: 'public' as const,
        code: undefined,
        createdBy: undefined,
        maxPlayers: 2,
        metadata: {},
        options: {},
        heldUntil: now + 100,
      };
      expect(await lobby.rooms.create(room)).toMatchObject({ roomId: 'r1' });
      await lobby.rooms.heartbeat(first, [{ roomId: 'r1', players: ['p1'], ended: false }], 3000);
      now += 500;

      // The misconfigured process: same id, another URL, no rooms of its own yet.
      await expect(other.rooms.heartbeat(second, [], 3000)).rejects.toBeInstanceOf(NodeIdTakenError);
      await expect(other.rooms.heartbeat(second, [], 0)).rejects.toBeInstanceOf(NodeIdTakenError);

      expect((await lobby.rooms.liveNodes()).map((n) => n.url)).toEqual([first.url]);
      expect(await lobby.rooms.find({ roomId: 'r1' })).toMatchObject({ roomId: 'r1', seated: ['p1'] });

      // Once the first one is gone (its TTL passed), the id is free again.
      now += 3000;
      await other.rooms.heartbeat(second, [], 3000);
      expect((await lobby.rooms.liveNodes()).map((n) => n.url)).toEqual([second.url]);
      // A restart at the same URL is the same node: never refused.
      await lobby.rooms.heartbeat(second, [], 3000);
    } finally {
      await other.close();
      await lobby.close();
    }
  });
});
