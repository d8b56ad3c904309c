import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareText, RankIndex, type RankKey } from './rank-index.ts';

describe('RankIndex', () => {
  it('counts keys before a key, through inserts and removals', () => {
    const key = (rankScore: number, updatedAt: number, playerId: string): RankKey => ({
      rankScore,
      updatedAt,
      playerId,
    });
    const index = new RankIndex([key(-10, 1, 'a'), key(-10, 2, 'b'), key(-5, 1, 'c')]);
    expect(index.countBefore(key(-10, 2, 'b'))).toBe(1);
    expect(index.countBefore(key(-7, 0, 'z'))).toBe(2);
    index.remove(key(-10, 1, 'a'));
    index.insert(key(-20, 9, 'd'));
    expect(index.countBefore(key(-5, 1, 'c'))).toBe(2);
    index.remove(key(-99, 0, 'nobody'));
    expect(index.size).toBe(3);
  });

  it("orders text exactly as SQLite's BINARY collation does", () => {
    const db = new DatabaseSync(':memory:');
    const sorted = db.prepare('SELECT ? < ? AS less, ? = ? AS same');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const { less, same } = sorted.get(a, b, a, b) as { less: number; same: number };
        const expected = same ? 0 : less ? -1 : 1;
        expect(compareText(a, b)).toBe(expected);
      }),
    );
    // The case JavaScript's < gets wrong: U+1F600 (a surrogate pair) sorts after U+FF5E.
    expect(compareText('\u{1F600}', '\uFF5E')).toBe(1);
    expect('\u{1F600}' < '\uFF5E').toBe(true);
  });
});
