/**
 * The store contract, unchanged, against the Redis store on a private redis-server: every factory
 * call opens a fresh namespace (prefix), so each case starts from an empty store.
 */
import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { CONTRACT_BOARDS, readAllPages } from '../contract/harness.ts';
import { describeStoreContract } from '../store.contract.ts';
import type { Store, StoreOptions } from '../types.ts';
import { openRedisStore } from './index.ts';

describe.skipIf(skipRedis())('Redis store', () => {
  const redis = useRedisServer();

  let namespaces = 0;
  const prefixes = new WeakMap<Store, string>();
  const open = async (options: StoreOptions, prefix: string): Promise<Store> => {
    const store = await openRedisStore({ ...options, url: redis.server.url, prefix });
    prefixes.set(store, prefix);
    return store;
  };

  describeStoreContract('redis', (options) => open(options, `contract-${++namespaces}`), {
    openPeer: (store, options) => open(options, prefixes.get(store)!),
  });

  test('a half-written player hash reads as no player, and a ranking member without its record is an error', async () => {
    const store = await open({ boards: CONTRACT_BOARDS, now: Date.now }, 'damaged');
    try {
      // Only an operator's hand (or a partial restore) writes one field of a player.
      await redis.admin.hset('{damaged:player:only-name}', 'name', 'Ada');
      await redis.admin.hset('{damaged:player:only-created}', 'createdAt', '1');
      expect(await store.players.get('only-name')).toBeUndefined();
      expect(await store.players.get('only-created')).toBeUndefined();
      // A ranking whose record hash lost an entry: say so instead of listing a record of nothing.
      await store.leaderboards.submit({ boardId: 'points', playerId: 'a', name: 'A', score: 1, key: 'k' });
      await redis.admin.del('{damaged:lb}:records:points');
      await expect(store.leaderboards.top('points')).rejects.toThrow('ranking member without a record');
    } finally {
      await store.close();
    }
  });

  test("ids holding the layout's separators, braces, newlines and non-ASCII stay apart", async () => {
    const now = Date.UTC(2026, 10, 18, 12);
    const store = await open({ boards: CONTRACT_BOARDS, now: () => now }, 'odd-ids');
    try {
      const ids = ['a:b', 'a', 'all:a', '{x}', 'x}{', 'line\nbreak', 'zoë', '😀', '\u{10FFFF}', 'a\u0000b'];
      const scores = ids.map((_, i) => i % 3);
      await store.leaderboards.submitAll(
        ids.map((playerId, i) => ({
          boardId: 'points',
          playerId,
          name: `n:${playerId}\n`,
          score: scores[i]!,
          key: playerId,
        })),
      );
      const { records } = await readAllPages(store.leaderboards, 'points', 3);
      expect(records.map((r) => r.playerId).sort()).toEqual([...ids].sort());
      for (const record of records) {
        expect(record.name).toBe(`n:${record.playerId}\n`);
        expect(await store.leaderboards.rank('points', record.playerId)).toEqual(record);
      }
      expect(
        (
          await store.leaderboards.submit({
            boardId: 'points',
            playerId: 'a',
            name: 'A',
            score: 9,
            key: 'a:b',
          })
        ).outcome,
      ).toBe('duplicate');

      const node = { nodeId: 'n:{1}', url: 'ws://n', players: 0, rooms: 0, maxRooms: 9 };
      await store.rooms.heartbeat(node, [], 60_000);
      const room = {
        mode: 'm:{x}',
        nodeId: node.nodeId,
        maxPlayers: 2,
        metadata: { 'k:{}': 'v\n' },
        options: {},
        createdBy: { playerId: 'p:{1}\n', address: '2001:db8::1' },
        heldUntil: now + 1000,
      };
      expect(
        await store.rooms.create({ ...room, roomId: 'r:1', visibility: 'private', code: 'a b:{c}' }),
      ).toBeTruthy();
      expect(
        await store.rooms.create({ ...room, roomId: 'r', visibility: 'public', code: undefined }),
      ).toBeTruthy();
      await store.rooms.reserve('r:1', 'line\nbreak', now + 1000);
      expect(await store.rooms.find({ code: 'a b:{c}' })).toMatchObject({
        roomId: 'r:1',
        metadata: { 'k:{}': 'v\n' },
        reservations: { 'line\nbreak': now + 1000 },
      });
      expect((await store.rooms.listPublic('m:{x}', 10)).map((r) => r.roomId)).toEqual(['r']);
      await store.rooms.heartbeat(
        node,
        [{ roomId: 'r:1', players: ['line\nbreak', '😀'], ended: false }],
        60_000,
      );
      expect((await store.rooms.find({ roomId: 'r:1' }))?.seated).toEqual(['line\nbreak', '😀']);

      const ticket = { mode: 'm', region: 'r', rating: undefined, expiresAt: now + 1000 };
      await store.tickets.create({ ...ticket, ticketId: 't\n1', players: [{ playerId: 'a:b', name: 'x' }] });
      expect(
        await store.tickets.create({ ...ticket, ticketId: 't2', players: [{ playerId: 'a:b', name: 'x' }] }),
      ).toEqual({ conflict: 'a:b' });
      const [done] = (await store.tickets.finish(['t\n1'], { status: 'cancelled' })) ?? [];
      expect(await store.tickets.get('t\n1')).toEqual(done);
    } finally {
      await store.close();
    }
  });
});
