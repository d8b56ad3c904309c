/**
 * A Redis that holds the connection open but does not answer (paused, stalled, a network path that
 * drops packets without a reset): a request must end as "unavailable" (the lobby's 503) within the
 * store's command timeout, never hang with its caller (a lobby request, /ready, a node's heartbeat
 * and so its shutdown).
 */
import { describe, expect, test } from 'vitest';
import { skipRedis, useRedisServer } from '../../../test/support/redis-server.ts';
import { StoreUnavailableError } from '../errors.ts';
import { guardStore } from '../guard.ts';
import { openRedisStore } from './index.ts';
import { isRedisUnavailable } from './unavailable.ts';

/** The first answer of up to `tries` attempts that end in something other than unavailable. */
async function answeredWithin<T>(tries: number, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries || !(error instanceof StoreUnavailableError)) throw error;
    }
  }
}

describe.skipIf(skipRedis())('a Redis that does not answer', () => {
  const redis = useRedisServer();

  test('a command fails as unavailable after the command timeout, then works again', async () => {
    const store = guardStore(
      await openRedisStore({ url: redis.server.url, prefix: 'hung', commandTimeoutMs: 500 }),
      isRedisUnavailable,
    );
    try {
      // Every client's commands wait until the pause ends (CLIENT UNPAUSE would wait too).
      // The pause is long against the timeout so that a loaded CI machine cannot blur the two: a
      // command that waited for Redis instead of timing out would resolve, not reject.
      await redis.admin.client('PAUSE', 5000, 'ALL');
      const started = performance.now();
      await expect(store.players.get('p1')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(4500);
      // Answered again once the server is (the admin's PING waits out the pause): the connection was
      // never given up. A starved test process can miss one 500 ms window, so a few tries.
      await redis.admin.ping();
      expect(await answeredWithin(3, () => store.players.get('p1'))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
