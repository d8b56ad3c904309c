import { describe, expect, test } from 'vitest';
import { type ContractContext, readAllPages, type StoreFactory, useStore } from './harness.ts';

const id = (i: number): string => `p${String(i).padStart(2, '0')}`;

/**
 * 25 players in three tied score groups, submitted out of id order, four per millisecond: pages of
 * 4 cut through ties decided by time and through ties decided by player id.
 */
async function seedTies(ctx: ContractContext): Promise<string[]> {
  const entries: { playerId: string; score: number; at: number }[] = [];
  for (let n = 0; n < 25; n++) {
    const i = (n * 7) % 25;
    if (n % 4 === 0) ctx.clock.tick();
    entries.push({ playerId: id(i), score: i % 3, at: ctx.clock.ms });
    await ctx.submit('points', id(i), i % 3);
  }
  entries.sort((a, b) => b.score - a.score || a.at - b.at || (a.playerId < b.playerId ? -1 : 1));
  return entries.map((e) => e.playerId);
}

/** 20 players with distinct scores: p00 ranks 1, p19 ranks 20. */
async function seedDistinct(ctx: ContractContext): Promise<void> {
  for (let i = 19; i >= 0; i--) await ctx.submit('points', id(i), 100 - i);
}

/** Reads: `top` pages, `around` windows and `rank`. */
export function describeReading(factory: StoreFactory): void {
  describe('top pages', () => {
    const ctx = useStore(factory);

    test('cursor pages cover every record once, in order, through ties at page boundaries', async () => {
      const expected = await seedTies(ctx);
      const { records, pages } = await readAllPages(ctx.boards, 'points', 4);
      expect(pages).toBe(7);
      expect(records.map((r) => r.playerId)).toEqual(expected);
      expect(records.map((r) => r.rank)).toEqual(expected.map((_, i) => i + 1));
      const single = await ctx.boards.top('points', { limit: 100 });
      expect(single.records).toEqual(records);
      expect(single.nextCursor).toBeUndefined();
    });

    test('every page size gives the same sequence', async () => {
      const expected = await seedTies(ctx);
      for (const limit of [1, 2, 3, 5, 24, 25, 26]) {
        const { records, pages } = await readAllPages(ctx.boards, 'points', limit);
        expect(records.map((r) => r.playerId)).toEqual(expected);
        expect(pages).toBe(Math.max(1, Math.ceil(25 / limit)));
      }
    });

    test('an ascending board pages from its cursor in its own order, smallest first', async () => {
      for (const [playerId, score] of [
        ['a', 30],
        ['b', 10],
        ['c', 20],
        ['d', -5],
      ] as const) {
        await ctx.submit('laps', playerId, score);
      }
      const { records, pages } = await readAllPages(ctx.boards, 'laps', 1);
      expect(records.map((r) => [r.playerId, r.score, r.rank])).toEqual([
        ['d', -5, 1],
        ['b', 10, 2],
        ['c', 20, 3],
        ['a', 30, 4],
      ]);
      expect(pages).toBe(4);
    });

    test('a bad player id is refused naming the argument, on every read and on remove', async () => {
      for (const read of [
        () => ctx.boards.rank('points', ''),
        () => ctx.boards.around('points', ''),
        () => ctx.boards.remove('points', ''),
      ]) {
        await expect(read()).rejects.toMatchObject({ code: 'invalid_argument', argument: 'playerId' });
      }
    });

    test('the last page has no cursor, even when the records divide evenly into pages', async () => {
      await seedDistinct(ctx);
      const { pages } = await readAllPages(ctx.boards, 'points', 5);
      expect(pages).toBe(4);
      const last = await ctx.boards.top('points', { limit: 20 });
      expect(last.records).toHaveLength(20);
      expect(last.nextCursor).toBeUndefined();
    });

    test('an empty board is one empty page; the default limit is 10', async () => {
      expect(await ctx.boards.top('points')).toEqual({ period: 'all', records: [], nextCursor: undefined });
      await seedDistinct(ctx);
      const page = await ctx.boards.top('points');
      expect(page.records.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(page.nextCursor).toBeDefined();
    });
  });

  describe('around a player', () => {
    const ctx = useStore(factory);
    const ranks = async (playerId: string, limit?: number) => {
      const window = await ctx.boards.around('points', playerId, limit === undefined ? {} : { limit });
      return window.records.map((r) => r.rank);
    };

    test('the middle of the board is centred on the player', async () => {
      await seedDistinct(ctx);
      expect(await ranks(id(10), 5)).toEqual([9, 10, 11, 12, 13]);
      // An even window puts the extra record below the player.
      expect(await ranks(id(10), 4)).toEqual([10, 11, 12, 13]);
      expect(await ranks(id(10))).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
      const window = await ctx.boards.around('points', id(10), { limit: 3 });
      expect(window.records.map((r) => [r.playerId, r.score])).toEqual([
        [id(9), 91],
        [id(10), 90],
        [id(11), 89],
      ]);
    });

    test('at the top and bottom the window stays full', async () => {
      await seedDistinct(ctx);
      expect(await ranks(id(0), 5)).toEqual([1, 2, 3, 4, 5]);
      expect(await ranks(id(1), 5)).toEqual([1, 2, 3, 4, 5]);
      expect(await ranks(id(19), 5)).toEqual([16, 17, 18, 19, 20]);
      expect(await ranks(id(18), 5)).toEqual([16, 17, 18, 19, 20]);
      expect(await ranks(id(3), 1)).toEqual([4]);
    });

    test('a board smaller than the window is returned whole', async () => {
      for (const [player, score] of [
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ] as const)
        await ctx.submit('points', player, score);
      expect(await ranks('c', 100)).toEqual([1, 2, 3]);
      expect(await ranks('a', 2)).toEqual([1, 2]);
    });

    test('a player with no record gets an empty window', async () => {
      await seedDistinct(ctx);
      expect(await ctx.boards.around('points', 'stranger', { limit: 5 })).toEqual({
        period: 'all',
        records: [],
      });
    });

    test('a window read again after a write shows the write', async () => {
      await seedDistinct(ctx);
      const before = await ctx.boards.around('points', id(12), { limit: 3 });
      expect(before.records.map((r) => r.playerId)).toEqual([id(11), id(12), id(13)]);
      // p11 passes p06..p10 (a tie with p05, who got there first): p12 keeps rank 13, and its
      // window keeps its position on the board with another record in it.
      await ctx.submit('points', id(11), 95);
      const after = await ctx.boards.around('points', id(12), { limit: 3 });
      expect(after.records.map((r) => [r.playerId, r.rank])).toEqual([
        [id(10), 12],
        [id(12), 13],
        [id(13), 14],
      ]);
      expect(await ranks(id(11), 3)).toEqual([6, 7, 8]);
    });

    test('ties keep their order around the player', async () => {
      const expected = await seedTies(ctx);
      const window = await ctx.boards.around('points', expected[12]!, { limit: 7 });
      expect(window.records.map((r) => r.playerId)).toEqual(expected.slice(9, 16));
    });
  });

  describe('rank', () => {
    const ctx = useStore(factory);

    test('every player ranks where top lists them', async () => {
      await seedTies(ctx);
      const { records } = await readAllPages(ctx.boards, 'points', 100);
      for (const record of records) expect(await ctx.boards.rank('points', record.playerId)).toEqual(record);
    });

    test('a player with no record has no rank', async () => {
      await ctx.submit('points', 'a', 1);
      expect(await ctx.boards.rank('points', 'b')).toBeUndefined();
      expect(await ctx.boards.rank('laps', 'a')).toBeUndefined();
    });
  });

  describe('reads after writes', () => {
    const ctx = useStore(factory);

    test('a first page read again after a score changes shows the change, on every limit', async () => {
      await ctx.submit('points', 'a', 10);
      await ctx.submit('points', 'b', 5);
      expect((await ctx.boards.top('points', { limit: 10 })).records.map((r) => r.playerId)).toEqual([
        'a',
        'b',
      ]);
      expect((await ctx.boards.top('points', { limit: 1 })).records.map((r) => r.playerId)).toEqual(['a']);
      await ctx.submit('points', 'b', 20);
      expect(
        (await ctx.boards.top('points', { limit: 10 })).records.map((r) => [r.playerId, r.score]),
      ).toEqual([
        ['b', 20],
        ['a', 10],
      ]);
      expect((await ctx.boards.top('points', { limit: 1 })).records.map((r) => r.playerId)).toEqual(['b']);
      await ctx.submit('points', 'c', 1); // a new record, last
      expect((await ctx.boards.top('points', { limit: 10 })).records).toHaveLength(3);
    });

    test("a write to one board leaves another board's pages as they were, and a reset starts empty", async () => {
      await ctx.submit('daily', 'a', 3);
      await ctx.submit('wins', 'a', 1);
      const daily = await ctx.boards.top('daily');
      await ctx.submit('wins', 'b', 2);
      expect(await ctx.boards.top('daily')).toEqual(daily);
      ctx.clock.tick(24 * 3600_000);
      expect((await ctx.boards.top('daily')).records).toEqual([]);
    });
  });
}
