/**
 * Request budgets in Redis: every store instance (every lobby) spends from one counter per key, and
 * with Redis gone each falls back to a budget of its own in memory instead of failing the request.
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, test } from 'vitest';
import { skipRedis, startRedisServer, useRedisServer } from '../../../test/support/redis-server.ts';
import { requestBudget, type SpendBudget } from '../../lobby/rate-limit.ts';
import type { Store } from '../types.ts';
import { openRedisStore } from './index.ts';

/** How many of `count` spends a budget lets through; the rest must be 429s. */
async function allowed(spend: SpendBudget, key: string, count: number): Promise<number> {
  let passed = 0;
  for (let i = 0; i < count; i++) {
    try {
      await spend(key);
      passed++;
    } catch (error) {
      expect(error).toMatchObject({ status: 429 });
    }
  }
  return passed;
}

describe.skipIf(skipRedis())('request budgets in Redis', () => {
  const redis = useRedisServer();
  let open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.map((store) => store.close()));
    open = [];
  });
  const lobby = async (prefix: string): Promise<Store> => {
    const store = await openRedisStore({ url: redis.server.url, prefix, boards: [] });
    open.push(store);
    return store;
  };

  test('two lobbies spend from one budget per key, each key its own', async () => {
    const [a, b] = [await lobby('rl1'), await lobby('rl1')];
    const spendA = requestBudget('guest', 3, a.budgets)!;
    const spendB = requestBudget('guest', 3, b.budgets)!;
    expect(await allowed(spendA, '192.0.2.1', 2)).toBe(2);
    expect(await allowed(spendB, '192.0.2.1', 2)).toBe(1);
    expect(await allowed(spendA, '192.0.2.1', 1)).toBe(0);
    expect(await allowed(spendB, '192.0.2.2', 3)).toBe(3);
    // Another namespace, another budget.
    expect(await allowed(requestBudget('guest', 3, (await lobby('rl2')).budgets)!, '192.0.2.1', 1)).toBe(1);
    const keys = await redis.admin.keys('{rl1:rl:*');
    expect(keys.sort()).toEqual(['{rl1:rl:guest:192.0.2.1}', '{rl1:rl:guest:192.0.2.2}']);
    expect(await redis.admin.pttl('{rl1:rl:guest:192.0.2.1}')).toBeGreaterThan(59_000);
  });

  test('one limiter per scope and size, made once; each scope counts on its own', async () => {
    const budgets = (await lobby('rl5')).budgets!;
    expect(budgets.limiter('ip', 3)).toBe(budgets.limiter('ip', 3));
    expect(budgets.limiter('ip', 3)).not.toBe(budgets.limiter('ip', 4));
    expect(budgets.limiter('ip', 3)).not.toBe(budgets.limiter('guest', 3));
    expect(await allowed(requestBudget('ip', 2, budgets)!, '192.0.2.7', 3)).toBe(2);
    expect(await allowed(requestBudget('guest', 2, budgets)!, '192.0.2.7', 3)).toBe(2);
  });

  test('the answer past the budget says when to retry', async () => {
    const spend = requestBudget('ip', 1, (await lobby('rl3')).budgets)!;
    await spend('198.51.100.1');
    await expect(spend('198.51.100.1')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 60 });
  });

  test('with Redis gone, each lobby falls back to a budget of its own in memory', async () => {
    const own = await startRedisServer();
    const client = new Redis(own.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined); // refused reconnects while the server is down
    try {
      const store = await openRedisStore({ client, prefix: 'rl4', boards: [], onError: () => undefined });
      open.push(store);
      const spend = requestBudget('ip', 3, store.budgets)!;
      expect(await allowed(spend, '203.0.113.9', 2)).toBe(2);
      const closed = once(client, 'close');
      await own.stop();
      await closed;
      // Neither an error (500) nor a hang: the insurance budget counts from zero in this process.
      expect(await allowed(spend, '203.0.113.9', 4)).toBe(3);
      // Each scope's insurance budget is its own, and still says when to retry.
      const guest = requestBudget('guest', 3, store.budgets)!;
      expect(await allowed(guest, '203.0.113.9', 4)).toBe(3);
      await expect(spend('203.0.113.9')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 60 });
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});
