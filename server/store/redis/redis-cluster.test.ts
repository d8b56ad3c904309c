/**
 * The Redis store on Redis Cluster: a one-node cluster owning every slot, where Redis itself refuses
 * any script that touches keys of two slots (the `#!lua` shebang) and any multi-key command across
 * slots. The whole store contract runs here through an ioredis Cluster client, then the key layout
 * is checked slot by slot.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { CONTRACT_BOARDS } from '../contract/harness.ts';
import { describeStoreContract } from '../store.contract.ts';
import type { Store, StoreOptions } from '../types.ts';
import { openRedisStore } from './index.ts';

describe.skipIf(skipRedis())('Redis store on a cluster', () => {
  const redis = useRedisServer({ cluster: true });
  let cluster: Cluster;
  beforeAll(() => {
    cluster = new Cluster([{ host: redis.server.host, port: redis.server.port }]);
  });
  afterAll(async () => {
    await cluster?.quit();
  });

  let namespaces = 0;
  const prefixes = new WeakMap<Store, string>();
  const open = async (options: StoreOptions, prefix: string): Promise<Store> => {
    const store = await openRedisStore({ ...options, client: cluster, prefix });
    prefixes.set(store, prefix);
    return store;
  };

  describeStoreContract('redis cluster', (options) => open(options, `cluster-${++namespaces}`), {
    openPeer: (store, options) => open(options, prefixes.get(store)!),
  });

  test('each area keeps every key in one slot; players spread over slots', async () => {
    const store = await open({ boards: CONTRACT_BOARDS, now: () => Date.UTC(2026, 10, 18, 12) }, 'layout');
    try {
      const players = await Promise.all(['A', 'B', 'C', 'D'].map((name) => store.players.createGuest(name)));
      for (const [boardId, playerId] of [
        ['points', 'a'],
        ['daily', 'a'],
        ['weekly', 'b'],
      ] as const) {
        await store.leaderboards.submit({ boardId, playerId, name: 'A', score: 1, key: 'k' });
      }
      await store.rooms.heartbeat(
        { nodeId: 'n1', url: 'ws://n1', players: 0, rooms: 0, maxRooms: 9 },
        [],
        5000,
      );
      const room = {
        mode: 'arena',
        nodeId: 'n1',
        maxPlayers: 2,
        metadata: {},
        options: {},
        createdBy: undefined,
        heldUntil: Date.UTC(2026, 10, 18, 13),
      };
      await store.rooms.create({ ...room, roomId: 'r1', visibility: 'public', code: undefined });
      await store.rooms.create(
        {
          ...room,
          roomId: 'r2',
          visibility: 'private',
          code: 'ABCD',
          createdBy: { playerId: 'a', address: '::1' },
        },
        { perPlayer: 1, perAddress: 1 },
      );
      await store.rooms.reserve('r1', 'a', Date.now() + 60_000);
      await store.tickets.create({
        ticketId: 't1',
        mode: 'arena',
        region: 'eu',
        players: [{ playerId: 'a', name: 'A' }],
        rating: undefined,
        expiresAt: Number.MAX_SAFE_INTEGER,
      });
      await store.tickets.finish(['t1'], { status: 'cancelled' });

      const keys = await redis.admin.keys('{layout:*');
      const slots = new Map<string, Set<number>>();
      for (const key of keys) {
        const area = /^\{layout:(lb|dir|tk|meta|players|player)[:}]/.exec(key)?.[1];
        expect(area, key).toBeDefined();
        const slot = (await redis.admin.call('CLUSTER', 'KEYSLOT', key)) as number;
        slots.set(area!, (slots.get(area!) ?? new Set()).add(slot));
      }
      for (const area of ['lb', 'dir', 'tk', 'meta', 'players']) expect(slots.get(area)?.size, area).toBe(1);
      expect(keys.filter((key) => key.startsWith('{layout:player:'))).toHaveLength(players.length);
      expect(slots.get('player')?.size).toBeGreaterThan(1);
      // Per-room and per-node keys of the directory are among them, in the directory's slot.
      expect(keys).toEqual(
        expect.arrayContaining([
          '{layout:dir}:room:r1',
          '{layout:dir}:held:r1',
          '{layout:dir}:node-rooms:n1',
          '{layout:dir}:node-present:n1',
          '{layout:dir}:by-player:a',
          '{layout:dir}:by-address:::1',
          '{layout:dir}:public:arena',
          '{layout:lb}:ranking:daily:2026-11-18',
          '{layout:players}:names',
          '{layout:players}:names-indexed',
        ]),
      );
    } finally {
      await store.close();
    }
  });
});
