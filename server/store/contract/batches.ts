import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, UnknownBoardError } from '../errors.ts';
import type { ScoreSubmission } from '../types.ts';
import { expectStoreError, type StoreFactory, standings, useStore } from './harness.ts';

/** A match's results on several boards, keyed `match:player` as the lobby keys reports. */
function matchBatch(
  matchId: string,
  boards: readonly string[],
  scores: Readonly<Record<string, number>>,
): ScoreSubmission[] {
  return boards.flatMap((boardId) =>
    Object.entries(scores).map(([playerId, score]) => ({
      boardId,
      playerId,
      name: `name-${playerId}`,
      score,
      key: `${matchId}:${playerId}`,
    })),
  );
}

/** Batches: every submission or none, each at most once per (board, key). */
export function describeBatches(factory: StoreFactory): void {
  describe('batch submissions (submitAll)', () => {
    const ctx = useStore(factory);

    test('applies every submission in order and answers each', async () => {
      const results = await ctx.boards.submitAll(matchBatch('m1', ['points', 'wins'], { a: 5, b: 3 }));
      expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied', 'applied']);
      expect(standings((await ctx.boards.top('points')).records)).toEqual([
        ['a', 5],
        ['b', 3],
      ]);
      expect(standings((await ctx.boards.top('wins')).records)).toEqual([
        ['a', 5],
        ['b', 3],
      ]);
      expect(await ctx.boards.submitAll([])).toEqual([]);
    });

    test('a replayed batch is all duplicates and changes nothing', async () => {
      const batch = matchBatch('m1', ['points', 'wins'], { a: 5, b: 3 });
      await ctx.boards.submitAll(batch);
      ctx.clock.tick(1_000);
      const replay = await ctx.boards.submitAll([...batch].reverse());
      expect(replay.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
      expect((await ctx.boards.rank('wins', 'a'))?.score).toBe(5);
      expect((await ctx.boards.rank('wins', 'a'))?.updatedAt).toBe(ctx.clock.ms - 1_000);
    });

    test('the same batch sent concurrently counts once', async () => {
      const batch = matchBatch('m1', ['points', 'wins'], { a: 5, b: 3 });
      const answers = await Promise.all(Array.from({ length: 8 }, () => ctx.boards.submitAll(batch)));
      const applied = answers.flat().filter((r) => r.outcome === 'applied');
      expect(applied).toHaveLength(4);
      expect(standings((await ctx.boards.top('wins')).records)).toEqual([
        ['a', 5],
        ['b', 3],
      ]);
    });

    test('one invalid submission writes nothing on any board and uses up no key', async () => {
      const valid = matchBatch('m1', ['points', 'wins'], { a: 5, b: 3 });
      const refusals: [ScoreSubmission, typeof InvalidArgumentError | typeof UnknownBoardError][] = [
        [{ ...valid[3]!, name: 'b\ud800' }, InvalidArgumentError],
        [{ ...valid[3]!, score: Number.NaN }, InvalidArgumentError],
        [{ ...valid[3]!, playerId: '' }, InvalidArgumentError],
        [{ ...valid[3]!, boardId: 'nope' }, UnknownBoardError],
      ];
      for (const [bad, type] of refusals) {
        const code = type === UnknownBoardError ? 'unknown_board' : 'invalid_argument';
        await expectStoreError(ctx.boards.submitAll([...valid.slice(0, 3), bad]), type, code);
      }
      for (const board of ['points', 'wins']) expect((await ctx.boards.top(board)).records).toEqual([]);
      const results = await ctx.boards.submitAll(valid);
      expect(results.every((r) => r.outcome === 'applied')).toBe(true);
    });

    test('a failure while applying (an increment overflowing) rolls back the whole batch', async () => {
      await ctx.submit('wins', 'b', Number.MAX_VALUE);
      const batch = matchBatch('m1', ['points', 'wins'], { a: 5, b: Number.MAX_VALUE });
      await expectStoreError(ctx.boards.submitAll(batch), InvalidArgumentError, 'invalid_argument');
      expect((await ctx.boards.top('points')).records).toEqual([]);
      expect(standings((await ctx.boards.top('wins')).records)).toEqual([['b', Number.MAX_VALUE]]);
      // Nothing of the refused batch was kept: the same keys apply once the batch is valid.
      const fixed = await ctx.boards.submitAll(matchBatch('m1', ['points', 'wins'], { a: 5, b: 1 }));
      expect(fixed.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied', 'applied']);
    });

    test('a key repeated inside one batch counts once; a player may have several keys', async () => {
      const results = await ctx.boards.submitAll([
        { boardId: 'wins', playerId: 'a', name: 'A', score: 2, key: 'm1:a' },
        { boardId: 'wins', playerId: 'a', name: 'A', score: 7, key: 'm1:a' },
        { boardId: 'wins', playerId: 'a', name: 'A2', score: 3, key: 'm2:a' },
      ]);
      expect(results.map((r) => [r.outcome, r.score])).toEqual([
        ['applied', 2],
        ['duplicate', 2],
        ['applied', 5],
      ]);
      expect(await ctx.boards.rank('wins', 'a')).toMatchObject({ name: 'A2', score: 5, rank: 1 });
    });

    test('names are counted in characters: 64 astral characters fit, 65 do not', async () => {
      const base = { boardId: 'points', playerId: 'a', score: 1, key: 'k' };
      await expectStoreError(
        ctx.boards.submitAll([{ ...base, name: '😀'.repeat(65) }]),
        InvalidArgumentError,
        'invalid_argument',
      );
      await ctx.boards.submitAll([{ ...base, name: '😀'.repeat(64) }]);
      expect((await ctx.boards.rank('points', 'a'))?.name).toBe('😀'.repeat(64));
    });
  });
}
