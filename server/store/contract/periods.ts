import { describe, expect, test } from 'vitest';
import { readAllPages, type StoreFactory, standings, useStore } from './harness.ts';

/** Resets by UTC calendar: the boundary instants, period keys, and what survives a reset. */
export function describePeriods(factory: StoreFactory): void {
  describe('periods and resets', () => {
    const ctx = useStore(factory);

    /** The board's period and standings with the clock at `iso`. */
    const readAt = async (boardId: string, iso: string) => {
      ctx.clock.set(iso);
      const page = await ctx.boards.top(boardId);
      return { period: page.period, standings: standings(page.records) };
    };

    test('daily: 23:59:59.999 is still today, 00:00:00.000 starts a new board', async () => {
      ctx.clock.set('2026-11-22T00:00:00.000Z');
      await ctx.submit('daily', 'a', 1);
      ctx.clock.set('2026-11-22T23:59:59.999Z');
      await ctx.submit('daily', 'a', 2);
      expect(await readAt('daily', '2026-11-22T23:59:59.999Z')).toEqual({
        period: '2026-11-22',
        standings: [['a', 3]],
      });
      expect(await readAt('daily', '2026-11-23T00:00:00.000Z')).toEqual({
        period: '2026-11-23',
        standings: [],
      });
      expect(await ctx.boards.rank('daily', 'a')).toBeUndefined();
      await ctx.submit('daily', 'a', 5);
      expect((await ctx.boards.rank('daily', 'a'))?.score).toBe(5);
    });

    test('weekly: Sunday 23:59:59.999 and Monday 00:00:00.000 are different ISO weeks', async () => {
      ctx.clock.set('2026-11-16T00:00:00.000Z'); // Monday
      await ctx.submit('weekly', 'a', 1);
      ctx.clock.set('2026-11-22T23:59:59.999Z'); // Sunday
      await ctx.submit('weekly', 'a', 1);
      expect(await readAt('weekly', '2026-11-22T23:59:59.999Z')).toEqual({
        period: '2026-W47',
        standings: [['a', 2]],
      });
      expect(await readAt('weekly', '2026-11-23T00:00:00.000Z')).toEqual({
        period: '2026-W48',
        standings: [],
      });
    });

    test('monthly and daily: Dec 31 23:59:59.999 vs Jan 1 00:00:00.000', async () => {
      ctx.clock.set('2026-12-31T23:59:59.999Z');
      await ctx.submit('monthly', 'a', 4);
      await ctx.submit('daily', 'a', 4);
      await ctx.submit('weekly', 'a', 4);
      expect(await readAt('monthly', '2026-12-31T23:59:59.999Z')).toEqual({
        period: '2026-12',
        standings: [['a', 4]],
      });
      expect(await readAt('monthly', '2027-01-01T00:00:00.000Z')).toEqual({
        period: '2027-01',
        standings: [],
      });
      expect(await readAt('daily', '2027-01-01T00:00:00.000Z')).toEqual({
        period: '2027-01-01',
        standings: [],
      });
      // Thursday Dec 31 and Friday Jan 1 share ISO week 53 of 2026: the weekly board carries on.
      expect(await readAt('weekly', '2027-01-01T00:00:00.000Z')).toEqual({
        period: '2026-W53',
        standings: [['a', 4]],
      });
      expect(await readAt('weekly', '2027-01-04T00:00:00.000Z')).toEqual({
        period: '2027-W01',
        standings: [],
      });
    });

    test('ISO week numbering at year edges', async () => {
      const weeks: [string, string][] = [
        ['2024-12-30T00:00:00.000Z', '2025-W01'], // Monday of week 1 falls in the previous year
        ['2024-12-29T23:59:59.999Z', '2024-W52'],
        ['2021-01-03T23:59:59.999Z', '2020-W53'], // Sunday Jan 3 still in last year's week 53
        ['2021-01-04T00:00:00.000Z', '2021-W01'],
        ['2026-01-01T00:00:00.000Z', '2026-W01'], // a Thursday: week 1
        ['2015-12-31T12:00:00.000Z', '2015-W53'],
        ['2016-01-03T12:00:00.000Z', '2015-W53'],
        ['2020-02-29T12:00:00.000Z', '2020-W09'],
      ];
      for (const [iso, week] of weeks) expect((await readAt('weekly', iso)).period).toBe(week);
    });

    test('a never-resetting board has one period, all', async () => {
      ctx.clock.set('2001-01-01T00:00:00.000Z');
      await ctx.submit('wins', 'a', 1);
      expect(await readAt('wins', '2099-12-31T23:59:59.999Z')).toEqual({
        period: 'all',
        standings: [['a', 1]],
      });
    });

    test('earlier periods stay stored and readable', async () => {
      ctx.clock.set('2026-11-22T10:00:00.000Z');
      await ctx.submit('daily', 'a', 7);
      await ctx.submit('daily', 'b', 3);
      ctx.clock.set('2026-11-23T10:00:00.000Z');
      await ctx.submit('daily', 'b', 1);
      expect((await ctx.boards.top('daily')).records).toHaveLength(1);
      expect(await readAt('daily', '2026-11-22T20:00:00.000Z')).toEqual({
        period: '2026-11-22',
        standings: [
          ['a', 7],
          ['b', 3],
        ],
      });
    });

    test('a key seen before a reset is still a duplicate after it, reported in its own period', async () => {
      ctx.clock.set('2026-11-22T23:59:59.999Z');
      await ctx.submit('daily', 'a', 2, 'match-9:a');
      ctx.clock.tick();
      expect(await ctx.submit('daily', 'a', 2, 'match-9:a')).toEqual({
        outcome: 'duplicate',
        period: '2026-11-22',
        score: 2,
      });
      expect((await ctx.boards.top('daily')).records).toEqual([]);
    });

    test('paging across a reset keeps reading the period the first page came from', async () => {
      ctx.clock.set('2026-11-22T23:00:00.000Z');
      for (const player of ['a', 'b', 'c', 'd', 'e']) await ctx.submit('daily', player, player.charCodeAt(0));
      const first = await ctx.boards.top('daily', { limit: 2 });
      ctx.clock.set('2026-11-23T00:00:00.000Z');
      await ctx.submit('daily', 'z', 1_000);
      const second = await ctx.boards.top('daily', { limit: 2, cursor: first.nextCursor! });
      expect(second.period).toBe('2026-11-22');
      expect(standings([...first.records, ...second.records])).toEqual([
        ['e', 101],
        ['d', 100],
        ['c', 99],
        ['b', 98],
      ]);
      expect(second.records.map((r) => r.rank)).toEqual([3, 4]);
      expect((await readAllPages(ctx.boards, 'daily', 2)).records.map((r) => r.playerId)).toEqual(['z']);
    });
  });
}
