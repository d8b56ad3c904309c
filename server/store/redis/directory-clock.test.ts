/**
 * Clock skew between processes sharing one Redis: node expiries are written by a game node and
 * judged by every lobby, so each process's own clock must not decide when another process's node is
 * dead (a lobby whose clock ran ahead by more than two heartbeats purged live nodes and their rooms).
 */
import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import type { Store } from '../types.ts';
import { openRedisStore } from './index.ts';

describe.skipIf(skipRedis())('Redis store clock', () => {
  const redis = useRedisServer();

  const open = (skewMs: number): Promise<Store> =>
    openRedisStore({ url: redis.server.url, prefix: 'skew', now: () => Date.now() + skewMs, clock: 'redis' });

  test('a lobby whose clock runs 5 s ahead of a node still sees the node and its rooms', async () => {
    const node = await open(-2500);
    const lobby = await open(2500);
    try {
      const status = { nodeId: 'node-a', url: 'ws://a/ws', players: 0, rooms: 0, maxRooms: 9 };
      await node.rooms.heartbeat(status, [], 3000);
      const created = await lobby.rooms.create({
        roomId: 'r1',
        mode: 'arena',
        nodeId: 'node-a',
        visibility: 'public',
        code: 'ABCD',
        createdBy: undefined,
        maxPlayers: 2,
        metadata: {},
        options: {},
        heldUntil: 0,
      });
      expect(created).toMatchObject({ roomId: 'r1' });
      await node.rooms.heartbeat(status, [{ roomId: 'r1', players: ['p1'], ended: false }], 3000);
      expect((await lobby.rooms.liveNodes()).map((n) => n.nodeId)).toEqual(['node-a']);
      expect(await lobby.rooms.find({ code: 'ABCD' })).toMatchObject({ roomId: 'r1', seated: ['p1'] });
    } finally {
      await lobby.close();
      await node.close();
    }
  });
});
