/**
 * Batched scripts (scripts.ts): calls made together go to Redis as one script, yet each keeps its
 * own all-or-none answer, as if it had run alone after the ones before it, and a call that fails
 * fails alone.
 */
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { openRedisStore, RedisKeys } from './index.ts';
import { MAX_BATCH, RedisScripts } from './scripts.ts';

describe.skipIf(skipRedis())('batched Redis scripts', () => {
  const redis = useRedisServer();
  let namespaces = 0;
  const now = () => Date.UTC(2026, 11, 2, 12);
  /** Scripts run since the last CONFIG RESETSTAT (NOSCRIPT refusals not counted). */
  const scripts = async (): Promise<number> => {
    const stats = await redis.admin.info('commandstats');
    let count = 0;
    for (const [line, calls] of stats.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+).*$/gm)) {
      count += Number(calls) - Number(/failed_calls=(\d+)/.exec(line)?.[1] ?? 0);
    }
    return count;
  };

  test('claims made together: one script, each all or none, and no ticket claimed twice', async () => {
    const store = await openRedisStore({
      url: redis.server.url,
      prefix: `b${++namespaces}`,
      boards: [],
      now,
    });
    try {
      for (let i = 0; i < 6; i++) {
        await store.tickets.create({
          ticketId: `t${i}`,
          mode: 'arena',
          region: 'default',
          players: [{ playerId: `p${i}`, name: `P${i}` }],
          rating: undefined,
          expiresAt: Number.MAX_SAFE_INTEGER,
        });
      }
      await redis.admin.config('RESETSTAT');
      const match = (n: number) => ({
        status: 'matched' as const,
        match: { matchId: `m${n}`, roomId: 'r', nodeId: 'n' },
      });
      const [first, overlapping, second, unknown] = await Promise.all([
        store.tickets.finish(['t0', 't1'], match(1)),
        store.tickets.finish(['t1', 't2'], match(2)), // t1 went to m1 just before: nothing of it happens
        store.tickets.finish(['t2', 't3'], match(3)),
        store.tickets.finish(['t4', 'nope'], match(4)),
      ]);
      expect(await scripts()).toBe(1);
      expect(first?.map((t) => t.ticketId)).toEqual(['t0', 't1']);
      expect(overlapping).toBeUndefined();
      expect(second?.map((t) => t.ticketId)).toEqual(['t2', 't3']);
      expect(unknown).toBeUndefined();
      const statuses = await Promise.all(
        ['t0', 't1', 't2', 't3', 't4', 't5'].map((id) => store.tickets.get(id)),
      );
      expect(statuses.map((t) => t?.match?.matchId ?? t?.status)).toEqual([
        'm1',
        'm1',
        'm3',
        'm3',
        'searching',
        'searching',
      ]);
    } finally {
      await store.close();
    }
  });

  test('more calls than MAX_BATCH go as several batches, every call answered with its own reply', async () => {
    const prefix = `b${++namespaces}`;
    const store = await openRedisStore({ url: redis.server.url, prefix, boards: [], now });
    const keys = new RedisKeys(prefix);
    const runner = new RedisScripts(redis.admin);
    try {
      await store.rooms.heartbeat(
        { nodeId: 'n', url: 'ws://n', players: 0, rooms: 0, maxRooms: 10 },
        [],
        60_000,
      );
      await store.rooms.create({
        roomId: 'big',
        mode: 'arena',
        nodeId: 'n',
        visibility: 'private',
        code: undefined,
        maxPlayers: 1000,
        metadata: {},
        options: {},
        createdBy: undefined,
        heldUntil: now() + 30_000,
      });
      const calls = 2 * MAX_BATCH + 2;
      await redis.admin.config('RESETSTAT');
      const replies = (await Promise.all(
        Array.from({ length: calls }, (_, i) =>
          runner.run('reserve-seats-4', keys.directory.keys, [
            keys.directory.base,
            now(),
            'big',
            now() + 30_000,
            `p${i}`,
          ]),
        ),
      )) as [string, string, string[], string[], string][];
      expect(await scripts()).toBe(3);
      // Each call ran after the ones before it: the i-th reply holds i + 1 promised seats.
      expect(replies.map((view) => view[3].length / 2)).toEqual(
        Array.from({ length: calls }, (_, i) => i + 1),
      );
      expect(replies.map((view) => view[3].at(-2))).toEqual(Array.from({ length: calls }, (_, i) => `p${i}`));
      // Exactly MAX_BATCH calls: one full batch, nothing after it.
      await redis.admin.config('RESETSTAT');
      const full = await Promise.all(
        Array.from({ length: MAX_BATCH }, (_, i) =>
          runner.run('reserve-seats-4', keys.directory.keys, [
            keys.directory.base,
            now(),
            'big',
            now() + 30_000,
            `q${i}`,
          ]),
        ),
      );
      expect(full).toHaveLength(MAX_BATCH);
      expect(await scripts()).toBe(1);
      // Calls of different scripts in one turn go each with their own script.
      const [seat, claim] = await Promise.all([
        runner.run('reserve-seats-4', keys.directory.keys, [
          keys.directory.base,
          now(),
          'big',
          now() + 30_000,
          'z',
        ]),
        runner.run(
          'finish-tickets-8',
          [...keys.tickets, keys.leases],
          [now(), now() + 1000, '{"status":"cancelled"}', keys.ticketChanges, 'o', '', '', 'no-such-ticket'],
        ),
      ]);
      expect((seat as string[][])[3]).toContain('z');
      expect(claim).toBeNull();
    } finally {
      await store.close();
    }
  });

  test('when Redis refuses a batch or a lone call whole, each of its calls is rejected', async () => {
    const prefix = `b${++namespaces}`;
    const keys = new RedisKeys(prefix);
    const offline = new Redis(redis.server.url, { lazyConnect: true, enableOfflineQueue: false });
    offline.on('error', () => undefined);
    try {
      const scripts = new RedisScripts(offline);
      const run = (playerId: string) =>
        scripts.run('reserve-seats-4', keys.directory.keys, [
          keys.directory.base,
          now(),
          'r',
          now(),
          playerId,
        ]);
      const together = await Promise.allSettled([run('a'), run('b'), run('c')]);
      expect(together.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      await expect(run('alone')).rejects.toThrow(/Stream isn't writeable/);
      // Keys the script does not declare are refused before anything is sent.
      expect(() => scripts.run('rank-2', ['only-one'], [])).toThrow('script rank-2 takes 2 keys, got 1');
    } finally {
      offline.disconnect();
    }
  });

  test('a call that fails in a batch fails alone; the others are answered', async () => {
    const prefix = `b${++namespaces}`;
    const store = await openRedisStore({ url: redis.server.url, prefix, boards: [], now });
    const keys = new RedisKeys(prefix);
    const scripts = new RedisScripts(redis.admin);
    try {
      await store.rooms.heartbeat(
        { nodeId: 'n', url: 'ws://n', players: 0, rooms: 0, maxRooms: 10 },
        [],
        60_000,
      );
      const run = (reservation: readonly (string | number)[]) =>
        scripts.run('reserve-seats-4', keys.directory.keys, [keys.directory.base, ...reservation]);
      await store.rooms.create({
        roomId: 'r1',
        mode: 'arena',
        nodeId: 'n',
        visibility: 'private',
        code: undefined,
        maxPlayers: 2,
        metadata: {},
        options: {},
        createdBy: undefined,
        heldUntil: now() + 30_000,
      });
      const [broken, full, seated] = await Promise.allSettled([
        run(['not a time', 'r1', now() + 30_000, 'a']), // the script errs comparing a non-number
        run([now(), 'r1', now() + 30_000, 'a', 'b', 'c']),
        run([now(), 'r1', now() + 30_000, 'a', 'b']),
      ]);
      expect(broken.status).toBe('rejected');
      expect(full).toEqual({ status: 'fulfilled', value: 'full' });
      expect(seated.status).toBe('fulfilled');
      expect((await store.rooms.find({ roomId: 'r1' }))?.reservations).toEqual({
        a: now() + 30_000,
        b: now() + 30_000,
      });
    } finally {
      await store.close();
    }
  });
});
