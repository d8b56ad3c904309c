/**
 * Request budgets every lobby shares: rate-limiter-flexible's RateLimiterRedis on the store's
 * connection, one counter key per client or player (keys.ts `budget`), one atomic INCR-with-expiry
 * script per request. The one-minute windows expire by Redis's own TTL, the clock every lobby
 * shares (the store's injected clock is per process).
 *
 * When Redis cannot answer (the connection is not ready), a budget falls back to an in-memory
 * limiter of the same size in each lobby (rate-limiter-flexible's insurance limiter): the lobby
 * fails open to a per-process budget rather than closed. Rate limits guard against floods, and a
 * per-lobby budget still does that; refusing every client because Redis blinked would turn an
 * infrastructure fault into an outage of the routes that do not need Redis, and those that do
 * answer 503 on their own. The price: during the outage a client spread over N lobbies by the load
 * balancer may spend up to N budgets.
 */
import type { Cluster, Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { SharedBudgets } from '../types.ts';
import type { RedisKeys } from './keys.ts';

/** Budgets in Redis, one limiter per scope and size, made once. */
export class RedisBudgets implements SharedBudgets {
  readonly #client: Redis | Cluster;
  readonly #keys: RedisKeys;
  readonly #limiters = new Map<string, RateLimiterAbstract>();

  constructor(client: Redis | Cluster, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  limiter(scope: string, perMinute: number): RateLimiterAbstract {
    const id = `${scope}/${perMinute}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      const keys = this.#keys;
      limiter = new (class extends RateLimiterRedis {
        override getKey(key: string): string {
          return keys.budget(scope, key);
        }
      })({
        storeClient: this.#client,
        keyPrefix: scope,
        points: perMinute,
        duration: 60,
        // Not connected: spend from the insurance budget at once rather than queue behind a reconnect.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: scope, points: perMinute, duration: 60 }),
      });
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }
}
