/**
 * What the embedded leaderboards do beyond the store contract (found by mutation testing,
 * docs/MUTATION.md): first pages come from a bounded cache that a write clears, reads come from the
 * in-memory rank index rather than a query per read, and a database from before sort pinning opens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import type { BoardConfig, Store } from '../types.ts';
import { DATABASE_FILE, IN_MEMORY, openEmbeddedStore } from './index.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const board = (id: string, sort: 'asc' | 'desc' = 'desc'): BoardConfig => ({
  id,
  sort,
  operator: 'best',
  reset: 'never',
});
const NOW = Date.UTC(2026, 11, 2, 12);

async function submit(store: Store, boardId: string, playerId: string, score: number) {
  return store.leaderboards.submit({
    boardId,
    playerId,
    name: playerId,
    score,
    key: `${boardId}-${playerId}-${score}`,
  });
}

describe('embedded leaderboards', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickforge-boards-'));
    dirs.push(dir);
  });

  test('a first page is served from the cache until a score on its board changes', async () => {
    const store = await openEmbeddedStore({
      dataDir: IN_MEMORY,
      boards: [board('a'), board('b')],
      now: () => NOW,
    });
    await submit(store, 'a', 'p1', 5);
    const first = await store.leaderboards.top('a', { limit: 10 });
    expect(await store.leaderboards.top('a', { limit: 10 })).toBe(first);
    // Another board's write leaves it; another limit is another page.
    await submit(store, 'b', 'p1', 5);
    expect(await store.leaderboards.top('a', { limit: 10 })).toBe(first);
    expect(await store.leaderboards.top('a', { limit: 9 })).not.toBe(first);
    // A write to its board drops it, and the next read sees the write.
    await submit(store, 'a', 'p2', 7);
    const after = await store.leaderboards.top('a', { limit: 10 });
    expect(after).not.toBe(first);
    expect(after.records.map((r) => [r.playerId, r.rank])).toEqual([
      ['p2', 1],
      ['p1', 2],
    ]);
    // An unchanged score (not better) changes nothing, but a cursor page is never cached.
    const page = await store.leaderboards.top('a', { limit: 1 });
    expect(page.nextCursor).toBeDefined();
    const second = await store.leaderboards.top('a', { limit: 1, cursor: page.nextCursor! });
    expect(await store.leaderboards.top('a', { limit: 1, cursor: page.nextCursor! })).not.toBe(second);
    expect(second.records.map((r) => r.rank)).toEqual([2]);
    await store.close();
  });

  test('the page cache holds at most 1,024 pages, then starts over', async () => {
    const boards = Array.from({ length: 11 }, (_, i) => board(`b${i}`));
    const store = await openEmbeddedStore({ dataDir: IN_MEMORY, boards, now: () => NOW });
    const pages = [];
    for (let k = 0; k < 1024; k++)
      pages.push(await store.leaderboards.top(`b${Math.floor(k / 100)}`, { limit: (k % 100) + 1 }));
    // 1,024 cached: all still there.
    expect(await store.leaderboards.top('b0', { limit: 1 })).toBe(pages[0]);
    expect(await store.leaderboards.top('b10', { limit: 24 })).toBe(pages[1023]);
    // The 1,025th clears the cache before it is stored.
    await store.leaderboards.top('b10', { limit: 25 });
    expect(await store.leaderboards.top('b0', { limit: 1 })).not.toBe(pages[0]);
    await store.close();
  });

  test('reads come from the rank index in memory, not from a query per read', async () => {
    const store = await openEmbeddedStore({ dataDir: dir, boards: [board('a')], now: () => NOW });
    await submit(store, 'a', 'p1', 5);
    expect((await store.leaderboards.rank('a', 'p1'))?.rank).toBe(1);
    // A row written behind the store's back (another process) is not seen: the index is loaded once.
    const other = new DatabaseSync(join(dir, DATABASE_FILE));
    other
      .prepare(
        `INSERT INTO leaderboard_records (board, period, player_id, name, score, rank_score, updated_at)
         VALUES ('a', (SELECT period FROM leaderboard_records WHERE player_id = 'p1'), 'ghost', 'ghost', 99, -99, 1)`,
      )
      .run();
    other.close();
    expect((await store.leaderboards.rank('a', 'p1'))?.rank).toBe(1);
    expect(await store.leaderboards.rank('a', 'ghost')).toBeUndefined();
    expect((await store.leaderboards.top('a')).records.map((r) => r.playerId)).toEqual(['p1']);
    expect((await store.leaderboards.around('a', 'p1')).records.map((r) => r.playerId)).toEqual(['p1']);
    await store.close();
    // Reopened, the index is loaded from the file and has it.
    const reopened = await openEmbeddedStore({ dataDir: dir, boards: [board('a')], now: () => NOW });
    expect((await reopened.leaderboards.rank('a', 'p1'))?.rank).toBe(2);
    await reopened.close();
  });

  test('a database from before sort pinning opens with its records and pins their sort', async () => {
    const first = await openEmbeddedStore({ dataDir: dir, boards: [board('a')], now: () => NOW });
    await submit(first, 'a', 'p1', 5);
    await first.close();
    const old = new DatabaseSync(join(dir, DATABASE_FILE));
    old.prepare('DELETE FROM leaderboard_boards').run();
    old.close();
    const reopened = await openEmbeddedStore({ dataDir: dir, boards: [board('a')], now: () => NOW });
    expect((await reopened.leaderboards.rank('a', 'p1'))?.score).toBe(5);
    await reopened.close();
    const check = new DatabaseSync(join(dir, DATABASE_FILE));
    expect(check.prepare('SELECT id, sort FROM leaderboard_boards').all()).toEqual([
      { id: 'a', sort: 'desc' },
    ]);
    check.close();
    // Pinned again: now a flip over its records is refused, naming the board and both orders.
    await expect(
      openEmbeddedStore({ dataDir: dir, boards: [board('a', 'asc')], now: () => NOW }),
    ).rejects.toThrow('board a holds records sorted desc; it cannot become asc');
  });

  test('a bad player id in around or rank is refused, naming the argument', async () => {
    const store = await openEmbeddedStore({ dataDir: IN_MEMORY, boards: [board('a')], now: () => NOW });
    for (const read of [() => store.leaderboards.around('a', ''), () => store.leaderboards.rank('a', '')])
      await expect(read()).rejects.toMatchObject({ code: 'invalid_argument', argument: 'playerId' });
    await store.close();
  });

  test("an operator's removal or period reset is seen by the next read, cached page and index alike", async () => {
    const store = await openEmbeddedStore({ dataDir: IN_MEMORY, boards: [board('a')], now: () => NOW });
    await submit(store, 'a', 'p1', 5);
    await submit(store, 'a', 'p2', 3);
    const page = await store.leaderboards.top('a');
    expect((await store.leaderboards.rank('a', 'p2'))?.rank).toBe(2);
    // Removing nobody changes nothing: the cached page stays.
    expect(await store.leaderboards.remove('a', 'nobody')).toBe(false);
    expect(await store.leaderboards.top('a')).toBe(page);
    expect(await store.leaderboards.remove('a', 'p1')).toBe(true);
    expect((await store.leaderboards.top('a')).records.map((r) => r.playerId)).toEqual(['p2']);
    expect((await store.leaderboards.rank('a', 'p2'))?.rank).toBe(1);
    expect(await store.leaderboards.rank('a', 'p1')).toBeUndefined();
    await submit(store, 'a', 'p3', 9);
    await store.leaderboards.top('a');
    expect(await store.leaderboards.resetPeriod('a')).toBe(2);
    expect((await store.leaderboards.top('a')).records).toEqual([]);
    expect(await store.leaderboards.rank('a', 'p3')).toBeUndefined();
    await expect(store.leaderboards.remove('a', '')).rejects.toMatchObject({ argument: 'playerId' });
    await store.close();
  });
});
