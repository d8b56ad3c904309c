/**
 * The store contract, unchanged, against the Redis store on a private redis-server: every factory
 * call opens a fresh namespace (prefix), so each case starts from an empty store.
 */
import { Redis } from 'ioredis';
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

  test('players signed up before the names index are indexed when a store opens, once', async () => {
    const now = Date.UTC(2026, 10, 18, 12);
    const client = new Redis(redis.server.url);
    try {
      // What an earlier build left: the layout marker and player hashes without a nameNonce.
      await client.set('{earlier:meta}:layout', '1');
      await client.hset('{earlier:player:p-1}', 'name', 'ÉLODIE', 'createdAt', 1);
      await client.hset('{earlier:player:p-2}', 'name', 'Bo', 'createdAt', 2);
      const store = await open({ boards: CONTRACT_BOARDS, now: () => now }, 'earlier');
      try {
        expect(await store.players.findByName('élo')).toEqual([{ id: 'p-1', name: 'ÉLODIE', createdAt: 1 }]);
        await store.players.rename('p-2', 'Cy');
        expect(await store.players.findByName('bo')).toEqual([]);
        expect(await store.players.findByName('cy')).toEqual([{ id: 'p-2', name: 'Cy', createdAt: 2 }]);
      } finally {
        await store.close();
      }
      expect(await client.get('{earlier:players}:names-indexed')).toBe('1');
      // Done once: a hash written the old way afterwards is not looked for again.
      await client.hset('{earlier:player:p-3}', 'name', 'Dee', 'createdAt', 3);
      const again = await open({ boards: CONTRACT_BOARDS, now: () => now }, 'earlier');
      await again.close();
      expect(await client.zcard('{earlier:players}:names')).toBe(2);
    } finally {
      client.disconnect();
    }
  });

  test('a names index entry whose player never got, or no longer holds, that name is not shown', async () => {
    const now = Date.UTC(2026, 10, 18, 12);
    const store = await open({ boards: CONTRACT_BOARDS, now: () => now }, 'stale-names');
    const client = new Redis(redis.server.url);
    try {
      const ada = await store.players.createGuest('Ada');
      // What a crash leaves: an entry of a sign-up that never wrote its player, and one of a
      // rename whose player kept its name.
      const key = '{stale-names:players}:names';
      await client.zadd(key, 0, 'ada\0ghost\0aaaaaaaaaaaa', 0, `ada z\0${ada.id}\0ffffffffffff`);
      expect(await store.players.findByName('ada')).toEqual([ada]);
      // Stale entries ahead of the live ones do not shorten a page.
      const bots = await Promise.all([1, 2, 3].map((i) => store.players.createGuest(`ab ${i}`)));
      await client.zadd(key, 0, 'ab 0\0ghost-a\0x', 0, 'ab 0\0ghost-b\0x');
      expect((await store.players.findByName('ab', 2)).map((p) => p.id)).toEqual(
        bots.slice(0, 2).map((p) => p.id),
      );
    } finally {
      client.disconnect();
      await store.close();
    }
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
