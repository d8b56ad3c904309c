/**
 * Shared pieces of the store contract suite: the boards every implementation is opened with, a
 * settable clock, and a per-test store that is opened and closed around each test.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { StoreError, StoreErrorCode } from '../errors.ts';
import type {
  BoardConfig,
  LeaderboardRecord,
  LeaderboardStore,
  Store,
  StoreOptions,
  SubmitResult,
} from '../types.ts';

/** Opens a fresh, empty store of the implementation under test. */
export type StoreFactory = (options: StoreOptions) => Promise<Store>;

/** The boards every contract test can use. */
export const CONTRACT_BOARDS: readonly BoardConfig[] = [
  { id: 'points', sort: 'desc', operator: 'best', reset: 'never' },
  { id: 'laps', sort: 'asc', operator: 'best', reset: 'never' },
  { id: 'rating', sort: 'desc', operator: 'set', reset: 'never' },
  { id: 'handicap', sort: 'asc', operator: 'set', reset: 'never' },
  { id: 'wins', sort: 'desc', operator: 'increment', reset: 'never' },
  { id: 'daily', sort: 'desc', operator: 'increment', reset: 'daily' },
  { id: 'weekly', sort: 'desc', operator: 'increment', reset: 'weekly' },
  { id: 'monthly', sort: 'desc', operator: 'increment', reset: 'monthly' },
];

/** A settable wall clock, in milliseconds. */
export class TestClock {
  ms = Date.UTC(2026, 10, 18, 12);
  readonly now = (): number => this.ms;
  /** Jump to an ISO instant, e.g. `2026-11-22T23:59:59.999Z`. */
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
  tick(ms = 1): void {
    this.ms += ms;
  }
}

/** The store and clock of the running test. */
export interface ContractContext {
  readonly clock: TestClock;
  readonly store: Store;
  readonly boards: LeaderboardStore;
  /** Submit with a fresh key and the name `name-<playerId>`. */
  submit(boardId: string, playerId: string, score: number, key?: string): Promise<SubmitResult>;
}

/** Open a fresh store before each test of the enclosing describe, close it after. */
export function useStore(factory: StoreFactory): ContractContext {
  let clock = new TestClock();
  let store: Store | undefined;
  let keys = 0;
  beforeEach(async () => {
    clock = new TestClock();
    store = await factory({ boards: CONTRACT_BOARDS, now: clock.now });
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  const open = (): Store => {
    if (!store) throw new Error('the store is only open inside a test');
    return store;
  };
  return {
    get clock() {
      return clock;
    },
    get store() {
      return open();
    },
    get boards() {
      return open().leaderboards;
    },
    submit: (boardId, playerId, score, key = `k${++keys}`) =>
      open().leaderboards.submit({ boardId, playerId, name: `name-${playerId}`, score, key }),
  };
}

/** Every record of the board's current period, read through `top` pages of `limit`. */
export async function readAllPages(
  boards: LeaderboardStore,
  boardId: string,
  limit: number,
): Promise<{ records: LeaderboardRecord[]; pages: number }> {
  const records: LeaderboardRecord[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await boards.top(boardId, cursor === undefined ? { limit } : { limit, cursor });
    expect(page.records.length).toBeLessThanOrEqual(limit);
    records.push(...page.records);
    cursor = page.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('pagination does not end');
  } while (cursor !== undefined);
  return { records, pages };
}

/** (playerId, score) pairs, best first: what most ordering assertions compare. */
export const standings = (records: readonly LeaderboardRecord[]): [string, number][] =>
  records.map((r) => [r.playerId, r.score]);

/** Expect a rejection (not a synchronous throw) with this store error class and code. */
export async function expectStoreError(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => StoreError,
  code: StoreErrorCode,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as StoreError).code).toBe(code);
}
