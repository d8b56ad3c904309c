import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from './errors.ts';
import { guardStore } from './guard.ts';
import type { Store } from './types.ts';

const down = new Error('Connection is closed.');
const bug = new TypeError('x is undefined');

/** A store whose players fail with `error` and whose tickets watch synchronously. */
function failing(error: Error): Store {
  const unsubscribe = () => undefined;
  return {
    players: { get: async () => Promise.reject(error) },
    tickets: { watch: () => unsubscribe },
    extra: { value: 42 },
    close: async () => undefined,
  } as unknown as Store;
}

describe('guardStore', () => {
  const guarded = (error: Error) => guardStore(failing(error), (e) => e === down);

  it('turns an outage into StoreUnavailableError, keeping the cause', async () => {
    const failure = await guarded(down)
      .players.get('p')
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as StoreUnavailableError).cause).toBe(down);
  });

  it('passes other failures, synchronous members and extra seams through as they are', async () => {
    const store = guarded(bug);
    await expect(store.players.get('p')).rejects.toBe(bug);
    expect(typeof store.tickets.watch('t', () => undefined)).toBe('function');
    expect((store as unknown as { extra: { value: number } }).extra.value).toBe(42);
    await expect(store.close()).resolves.toBeUndefined();
  });
});
