import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareText, type RankedRow, RankIndex } from './rank-index.ts';

const row = (rankScore: number, updatedAt: number, playerId: string): RankedRow => ({
  rankScore,
  updatedAt,
  playerId,
  name: playerId.toUpperCase(),
  score: -rankScore,
});

describe('RankIndex', () => {
  it('finds positions, slices, and moves a player on upsert', () => {
    const index = new RankIndex([row(-10, 1, 'a'), row(-10, 2, 'b'), row(-5, 1, 'c')]);
    expect(index.countBefore(row(-10, 2, 'b'))).toBe(1);
    expect(index.countUpTo(row(-10, 2, 'b'))).toBe(2);
    expect(index.countBefore(row(-7, 0, 'z'))).toBe(2);
    index.upsert(row(-20, 9, 'c')); // c overtakes everyone
    expect(index.slice(0, 3).map((r) => r.playerId)).toEqual(['c', 'a', 'b']);
    index.upsert(row(-1, 10, 'd'));
    expect(index.size).toBe(4);
    expect(index.get('c')?.rankScore).toBe(-20);
    expect(index.slice(-5, 10).map((r) => r.playerId)).toEqual(['c', 'a', 'b', 'd']);
  });

  it("orders text exactly as SQLite's BINARY collation does", () => {
    const db = new DatabaseSync(':memory:');
    const sorted = db.prepare('SELECT ? < ? AS less, ? = ? AS same');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const { less, same } = sorted.get(a, b, a, b) as { less: number; same: number };
        expect(compareText(a, b)).toBe(same ? 0 : less ? -1 : 1);
      }),
    );
    // The case JavaScript's < gets wrong: U+1F600 (a surrogate pair) sorts after U+FF5E.
    expect(compareText('\u{1F600}', '\uFF5E')).toBe(1);
    expect('\u{1F600}' < '\uFF5E').toBe(true);
  });
});
