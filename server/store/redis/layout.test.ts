import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { BoardConfigError, InvalidArgumentError, SchemaTooNewError } from '../errors.ts';
import type { BoardConfig } from '../types.ts';
import { KEY_LAYOUT_VERSION, openRedisStore, RedisKeys } from './index.ts';
import { checkServerVersion } from './layout.ts';

const boards: readonly BoardConfig[] = [{ id: 'points', sort: 'desc', operator: 'best', reset: 'never' }];

test('servers older than Redis 7 are refused, naming the version', () => {
  expect(() => checkServerVersion('# Server\r\nredis_version:6.2.14\r\n')).toThrow(/Redis 7\.0.*6\.2\.14/);
  expect(() => checkServerVersion('nothing here')).toThrow(/unknown/);
  checkServerVersion('# Server\r\nredis_version:7.0.15\r\n');
  checkServerVersion('redis_version:8.2.1');
});

test('a prefix that would move the hash tag or break the namespace is refused', () => {
  for (const prefix of ['', 'a{b', 'a}b', 'has space', 'x'.repeat(65), '-lead']) {
    expect(() => new RedisKeys(prefix)).toThrow(InvalidArgumentError);
  }
  const keys = new RedisKeys('game.eu-1:prod');
  expect(keys.layout).toBe('{game.eu-1:prod:meta}:layout');
  expect(keys.ranking('points', '2026-W47')).toBe('{game.eu-1:prod:lb}:ranking:points:2026-W47');
  expect(keys.player('p1')).toBe('{game.eu-1:prod:player:p1}');
});

describe.skipIf(skipRedis())('opening a Redis store', () => {
  const redis = useRedisServer();
  const open = (prefix: string, configured = boards) =>
    openRedisStore({ url: redis.server.url, prefix, boards: configured, now: () => Date.UTC(2026, 10, 18) });

  test('the layout version is stored at first open and checked at every open', async () => {
    await (await open('fresh')).close();
    expect(await redis.admin.get('{fresh:meta}:layout')).toBe(String(KEY_LAYOUT_VERSION));
    await (await open('fresh')).close();

    await redis.admin.set('{newer:meta}:layout', String(KEY_LAYOUT_VERSION + 1));
    const refused = await open('newer').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SchemaTooNewError);
    expect((refused as SchemaTooNewError).code).toBe('schema_too_new');

    await redis.admin.set('{foreign:meta}:layout', 'banana');
    await expect(open('foreign')).rejects.toThrow(/\{foreign:meta\}:layout holds "banana"/);
    // Nothing was written to a namespace that was refused.
    expect(await redis.admin.keys('{newer:*')).toEqual(['{newer:meta}:layout']);
  });

  test("a board's sort order cannot flip over stored records", async () => {
    const flipped: BoardConfig[] = [{ id: 'points', sort: 'asc', operator: 'best', reset: 'never' }];
    await (await open('flip', flipped)).close(); // still empty: flipping is fine
    const store = await open('flip');
    await store.leaderboards.submit({ boardId: 'points', playerId: 'a', name: 'A', score: 1, key: 'k' });
    await store.close();
    await expect(open('flip', flipped)).rejects.toThrow(BoardConfigError);
    await expect(open('flip', flipped)).rejects.toThrow(/points holds records sorted desc/);
    // Operator and reset changes are allowed: they do not change how stored records rank.
    await (await open('flip', [{ id: 'points', sort: 'desc', operator: 'set', reset: 'daily' }])).close();
  });

  test('no URL, a bad URL or an unreachable server is a clear error that names no password', async () => {
    await expect(openRedisStore({ boards })).rejects.toThrow(InvalidArgumentError);
    await expect(openRedisStore({ url: 'not a url', boards })).rejects.toThrow(InvalidArgumentError);
    // Port 1: nothing listens there.
    const error = await openRedisStore({ url: 'redis://user:s3cret@127.0.0.1:1', boards }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/cannot connect to Redis at 127\.0\.0\.1:1/);
    expect(error?.message).not.toMatch(/s3cret/);
  });

  test('closing twice is harmless and closes the connections it opened', async () => {
    const before = Number(/connected_clients:(\d+)/.exec(await redis.admin.info('clients'))?.[1]);
    const store = await open('closing');
    await store.close();
    await store.close();
    const after = Number(/connected_clients:(\d+)/.exec(await redis.admin.info('clients'))?.[1]);
    expect(after).toBe(before);
  });
});
