/**
 * The store contract, unchanged, against the Redis store on a private redis-server: every factory
 * call opens a fresh namespace (prefix), so each case starts from an empty store.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { type RedisServer, skipRedis, startRedisServer } from '../../../test/support/redis-server.ts';
import { describeStoreContract } from '../store.contract.ts';
import type { Store, StoreOptions } from '../types.ts';
import { openRedisStore } from './index.ts';

describe.skipIf(skipRedis())('Redis store', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  let namespaces = 0;
  const prefixes = new WeakMap<Store, string>();
  const open = async (options: StoreOptions, prefix: string): Promise<Store> => {
    const store = await openRedisStore({ ...options, url: server.url, prefix });
    prefixes.set(store, prefix);
    return store;
  };

  describeStoreContract('redis', (options) => open(options, `contract-${++namespaces}`), {
    openPeer: (store, options) => open(options, prefixes.get(store)!),
  });
});
