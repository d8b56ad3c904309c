/**
 * Open the store a deployment setting names: the embedded one in the data dir (one process), or the
 * Redis one shared by every lobby and game node, with its outages reported as StoreUnavailableError.
 */
import type { StoreSetting } from '../deployment.ts';
import { openEmbeddedStore } from './embedded/index.ts';
import { guardStore } from './guard.ts';
import { openRedisStore } from './redis/index.ts';
import { isRedisUnavailable } from './redis/unavailable.ts';
import type { BoardConfig, Store } from './types.ts';

export interface OpenStoreOptions {
  readonly setting: StoreSetting;
  readonly dataDir: string;
  readonly boards: readonly BoardConfig[];
  readonly now: () => number;
  /**
   * Whose clock a shared store keeps time by (see RedisStoreOptions.clock): `redis` for processes
   * on the real clock, so their clocks' skew never decides another process's expiries; `local` when
   * `now` is a test's clock. Ignored by the embedded store (one process, one clock).
   */
  readonly clock?: 'local' | 'redis';
  /** Background faults of a shared store (a lost connection, retried on its own). */
  readonly onError: (error: unknown) => void;
}

/** Open the configured store. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { setting, dataDir, boards, now, onError, clock = 'local' } = options;
  if (setting.kind === 'embedded') return openEmbeddedStore({ dataDir, boards, now });
  const store = await openRedisStore({
    url: setting.url,
    prefix: setting.prefix,
    boards,
    now,
    clock,
    onError,
  });
  return guardStore(store, isRedisUnavailable);
}
