import { describe, expect, test } from 'vitest';
import { UnknownBoardError } from '../errors.ts';
import { expectStoreError, type StoreFactory, standings, useStore } from './harness.ts';

/** Operators' corrections: removing one record, and starting a board's current period over. */
export function describeCorrections(factory: StoreFactory): void {
  describe('corrections', () => {
    const ctx = useStore(factory);

    test('remove deletes one record of the current period; the ranks behind it move up', async () => {
      for (const [player, score] of [
        ['a', 30],
        ['b', 20],
        ['c', 10],
      ] as const)
        await ctx.submit('points', player, score);
      expect(await ctx.boards.remove('points', 'b')).toBe(true);
      expect(await ctx.boards.rank('points', 'b')).toBeUndefined();
      expect(standings((await ctx.boards.top('points')).records)).toEqual([
        ['a', 30],
        ['c', 10],
      ]);
      expect(await ctx.boards.rank('points', 'c')).toMatchObject({ rank: 2, score: 10 });
      expect((await ctx.boards.around('points', 'c', { limit: 3 })).records.map((r) => r.playerId)).toEqual([
        'a',
        'c',
      ]);
      expect(await ctx.boards.remove('points', 'b')).toBe(false);
      expect(await ctx.boards.remove('points', 'nobody')).toBe(false);
    });

    test('a replayed key stays a duplicate after its record is removed, and a new key counts again', async () => {
      await ctx.submit('wins', 'a', 5, 'match-1:a');
      await ctx.boards.remove('wins', 'a');
      const replay = await ctx.submit('wins', 'a', 5, 'match-1:a');
      expect(replay).toMatchObject({ outcome: 'duplicate', score: 0 });
      expect(await ctx.boards.rank('wins', 'a')).toBeUndefined();
      expect(await ctx.submit('wins', 'a', 2, 'match-2:a')).toMatchObject({ outcome: 'applied', score: 2 });
    });

    test('resetPeriod empties the current period of one board only, and says how many it removed', async () => {
      for (const player of ['a', 'b', 'c']) {
        await ctx.submit('weekly', player, 1);
        await ctx.submit('points', player, 1);
      }
      expect(await ctx.boards.resetPeriod('weekly')).toBe(3);
      expect((await ctx.boards.top('weekly')).records).toEqual([]);
      expect((await ctx.boards.top('points')).records).toHaveLength(3);
      expect(await ctx.boards.resetPeriod('weekly')).toBe(0);
      expect(await ctx.submit('weekly', 'a', 4)).toMatchObject({ outcome: 'applied', score: 4 });
    });

    test('resetPeriod leaves earlier periods as they were', async () => {
      ctx.clock.set('2026-11-18T12:00:00Z');
      await ctx.submit('daily', 'a', 7);
      await ctx.submit('daily', 'b', 1);
      const yesterday = await ctx.boards.top('daily', { limit: 1 });
      ctx.clock.set('2026-11-19T12:00:00Z');
      await ctx.submit('daily', 'c', 3);
      expect(await ctx.boards.resetPeriod('daily')).toBe(1);
      // The cursor of the earlier period still reads it in full.
      const rest = await ctx.boards.top('daily', { cursor: yesterday.nextCursor ?? '' });
      expect(rest.period).toBe('2026-11-18');
      expect(standings(rest.records)).toEqual([['b', 1]]);
    });

    test('unknown boards are refused', async () => {
      await expectStoreError(ctx.boards.remove('nope', 'a'), UnknownBoardError, 'unknown_board');
      await expectStoreError(ctx.boards.resetPeriod('nope'), UnknownBoardError, 'unknown_board');
    });
  });
}
