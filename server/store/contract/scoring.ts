import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, InvalidCursorError, UnknownBoardError } from '../errors.ts';
import { expectStoreError, type StoreFactory, standings, useStore } from './harness.ts';

/** Submissions: operators, sort orders, ties, idempotency, and refused input. */
export function describeScoring(factory: StoreFactory): void {
  describe('operators and sort orders', () => {
    const ctx = useStore(factory);

    test('best on a desc board keeps the highest score', async () => {
      const outcomes = [];
      for (const score of [10, 5, 20, 15, 20])
        outcomes.push((await ctx.submit('points', 'a', score)).outcome);
      expect(outcomes).toEqual(['applied', 'unchanged', 'applied', 'unchanged', 'unchanged']);
      expect((await ctx.boards.rank('points', 'a'))?.score).toBe(20);
    });

    test('best on an asc board keeps the lowest score', async () => {
      for (const score of [30.5, 40, 25.25, 26]) await ctx.submit('laps', 'a', score);
      expect(await ctx.boards.rank('laps', 'a')).toMatchObject({ score: 25.25, rank: 1 });
    });

    test('set overwrites, even with a worse score', async () => {
      const first = await ctx.submit('rating', 'a', 1500);
      const second = await ctx.submit('rating', 'a', 1200);
      expect([first.outcome, second.outcome]).toEqual(['applied', 'applied']);
      expect(second.score).toBe(1200);
      expect((await ctx.boards.rank('rating', 'a'))?.score).toBe(1200);
    });

    test('increment adds, negative amounts included', async () => {
      for (const amount of [3, 4, -2, 0.5]) await ctx.submit('wins', 'a', amount);
      expect((await ctx.boards.rank('wins', 'a'))?.score).toBe(5.5);
    });

    test('desc boards list the highest first, asc boards the lowest first', async () => {
      for (const [player, score] of [
        ['a', 5],
        ['b', -3],
        ['c', 12],
        ['d', 0],
      ] as const) {
        await ctx.submit('points', player, score);
        await ctx.submit('laps', player, score);
      }
      const desc = await ctx.boards.top('points');
      const asc = await ctx.boards.top('laps');
      expect(standings(desc.records)).toEqual([
        ['c', 12],
        ['a', 5],
        ['d', 0],
        ['b', -3],
      ]);
      expect(standings(asc.records)).toEqual([
        ['b', -3],
        ['d', 0],
        ['a', 5],
        ['c', 12],
      ]);
      expect(desc.records.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
      expect(desc.records[0]).toEqual({
        playerId: 'c',
        name: 'name-c',
        score: 12,
        rank: 1,
        updatedAt: ctx.clock.ms,
      });
    });

    test('-0 is stored as 0, so it cannot sort apart from 0', async () => {
      await ctx.submit('laps', 'a', -0);
      expect(Object.is((await ctx.boards.rank('laps', 'a'))?.score, 0)).toBe(true);
    });

    test('a submission result names the period and the score afterwards', async () => {
      expect(await ctx.submit('weekly', 'a', 2)).toEqual({
        outcome: 'applied',
        period: '2026-W47',
        score: 2,
      });
      expect(await ctx.submit('points', 'a', 7)).toEqual({ outcome: 'applied', period: 'all', score: 7 });
      expect(await ctx.submit('points', 'a', 6)).toEqual({ outcome: 'unchanged', period: 'all', score: 7 });
    });
  });

  describe('ties', () => {
    const ctx = useStore(factory);

    test('the earlier submission ranks higher, then the smaller player id', async () => {
      await ctx.submit('points', 'z', 10);
      ctx.clock.tick();
      await ctx.submit('points', 'b', 10);
      await ctx.submit('points', 'a', 10); // same millisecond as b: player id decides
      expect(standings((await ctx.boards.top('points')).records)).toEqual([
        ['z', 10],
        ['a', 10],
        ['b', 10],
      ]);
      expect((await ctx.boards.rank('points', 'b'))?.rank).toBe(3);
    });

    test('best: reaching the same score again keeps the first time, so the first achiever stays ahead', async () => {
      await ctx.submit('points', 'b', 10);
      const first = ctx.clock.ms;
      ctx.clock.tick();
      await ctx.submit('points', 'a', 10);
      ctx.clock.tick();
      expect((await ctx.submit('points', 'b', 10)).outcome).toBe('unchanged');
      expect((await ctx.boards.top('points')).records.map((r) => [r.playerId, r.updatedAt])).toEqual([
        ['b', first],
        ['a', first + 1],
      ]);
    });

    test('set and increment: the time of the submission that produced the current score counts', async () => {
      await ctx.submit('rating', 'a', 10);
      ctx.clock.tick();
      await ctx.submit('rating', 'b', 10);
      ctx.clock.tick();
      await ctx.submit('rating', 'a', 10); // re-set: a's current score is now the later one
      expect(standings((await ctx.boards.top('rating')).records)).toEqual([
        ['b', 10],
        ['a', 10],
      ]);

      await ctx.submit('wins', 'a', 1);
      await ctx.submit('wins', 'a', 1);
      ctx.clock.tick();
      await ctx.submit('wins', 'b', 2);
      expect(standings((await ctx.boards.top('wins')).records)).toEqual([
        ['a', 2],
        ['b', 2],
      ]);
    });
  });

  describe('idempotent submissions', () => {
    const ctx = useStore(factory);

    test('the same key twice counts once, whatever the second score', async () => {
      expect((await ctx.submit('wins', 'a', 3, 'match-1:a')).outcome).toBe('applied');
      ctx.clock.tick(1_000);
      expect(await ctx.submit('wins', 'a', 3, 'match-1:a')).toEqual({
        outcome: 'duplicate',
        period: 'all',
        score: 3,
      });
      expect((await ctx.submit('wins', 'a', 99, 'match-1:a')).outcome).toBe('duplicate');
      expect(await ctx.boards.rank('wins', 'a')).toMatchObject({ score: 3, updatedAt: ctx.clock.ms - 1_000 });
    });

    test('keys are per board; a duplicate on best and set boards changes nothing either', async () => {
      await ctx.submit('points', 'a', 5, 'm1:a');
      await ctx.submit('rating', 'a', 5, 'm1:a');
      expect((await ctx.submit('points', 'a', 50, 'm1:a')).outcome).toBe('duplicate');
      expect((await ctx.submit('rating', 'a', 1, 'm1:a')).outcome).toBe('duplicate');
      expect((await ctx.boards.rank('points', 'a'))?.score).toBe(5);
      expect((await ctx.boards.rank('rating', 'a'))?.score).toBe(5);
    });

    test('concurrent submissions stay consistent: distinct keys all count, one key counts once', async () => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => ctx.submit('wins', 'a', 1, `m${i}:a`)));
      const retries = await Promise.all(Array.from({ length: 10 }, () => ctx.submit('wins', 'b', 5, 'm0:b')));
      expect(retries.filter((r) => r.outcome === 'applied')).toHaveLength(1);
      expect(standings((await ctx.boards.top('wins')).records)).toEqual([
        ['a', 40],
        ['b', 5],
      ]);
    });
  });

  describe('refused input', () => {
    const ctx = useStore(factory);

    test('an unknown board is a typed error on every operation', async () => {
      for (const id of ['nope', '', "points'; DROP TABLE x; --", '__proto__', 'POINTS']) {
        await expectStoreError(ctx.submit(id, 'a', 1), UnknownBoardError, 'unknown_board');
        await expectStoreError(ctx.boards.top(id), UnknownBoardError, 'unknown_board');
        await expectStoreError(ctx.boards.around(id, 'a'), UnknownBoardError, 'unknown_board');
        await expectStoreError(ctx.boards.rank(id, 'a'), UnknownBoardError, 'unknown_board');
      }
    });

    test('non-finite scores are refused and do not use up their key', async () => {
      for (const score of [
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        '5' as unknown as number,
      ]) {
        await expectStoreError(ctx.submit('wins', 'a', score, 'k'), InvalidArgumentError, 'invalid_argument');
      }
      expect(await ctx.boards.rank('wins', 'a')).toBeUndefined();
      expect((await ctx.submit('wins', 'a', 2, 'k')).outcome).toBe('applied');
    });

    test('ids and names must be well-formed Unicode (a lone surrogate would merge two ids)', async () => {
      await expectStoreError(ctx.submit('points', 'a\ud800', 1), InvalidArgumentError, 'invalid_argument');
      await expectStoreError(
        ctx.boards.submit({ boardId: 'points', playerId: 'a', name: 'x\udfff', score: 1, key: 'k' }),
        InvalidArgumentError,
        'invalid_argument',
      );
      expect(await ctx.boards.top('points')).toMatchObject({ records: [] });
    });

    test('an increment that would overflow is refused and rolled back', async () => {
      await ctx.submit('wins', 'a', Number.MAX_VALUE);
      await expectStoreError(
        ctx.submit('wins', 'a', Number.MAX_VALUE, 'big'),
        InvalidArgumentError,
        'invalid_argument',
      );
      // The refusal names the score and says why.
      await expect(ctx.submit('wins', 'a', Number.MAX_VALUE, 'big')).rejects.toMatchObject({
        argument: 'score',
        message: expect.stringMatching(/^score .*finite/),
      });
      expect((await ctx.boards.rank('wins', 'a'))?.score).toBe(Number.MAX_VALUE);
      expect((await ctx.submit('wins', 'a', -Number.MAX_VALUE, 'big')).score).toBe(0);
    });

    test('empty or oversized ids, names and keys are refused', async () => {
      const base = { boardId: 'points', playerId: 'a', name: 'A', score: 1, key: 'k' };
      for (const bad of [
        { playerId: '' },
        { name: '' },
        { key: '' },
        { key: 'k'.repeat(257) },
        { name: 'n'.repeat(65) },
      ]) {
        await expectStoreError(
          ctx.boards.submit({ ...base, ...bad }),
          InvalidArgumentError,
          'invalid_argument',
        );
      }
      expect((await ctx.boards.top('points')).records).toEqual([]);
    });

    test('limits outside 1..100 and bad cursors are refused', async () => {
      await ctx.submit('points', 'a', 1);
      for (const limit of [0, -1, 1.5, 101, 1e9, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expectStoreError(ctx.boards.top('points', { limit }), InvalidArgumentError, 'invalid_argument');
        await expectStoreError(
          ctx.boards.around('points', 'a', { limit }),
          InvalidArgumentError,
          'invalid_argument',
        );
      }
      await ctx.submit('points', 'b', 2);
      const { nextCursor } = await ctx.boards.top('points', { limit: 1 });
      expect(nextCursor).toBeDefined();
      for (const cursor of ['', 'garbage', '%%%', 'x'.repeat(5_000)]) {
        await expectStoreError(ctx.boards.top('points', { cursor }), InvalidCursorError, 'invalid_cursor');
      }
      // A cursor belongs to its board.
      await expectStoreError(
        ctx.boards.top('laps', { cursor: nextCursor! }),
        InvalidCursorError,
        'invalid_cursor',
      );
      expect((await ctx.boards.top('points', { limit: 100 })).records).toHaveLength(2);
    });
  });
}
