/**
 * The sort keys of one board period, held sorted in memory so a rank is a binary search instead of
 * SQLite counting every index entry above the player (O(rank) per read: 1-2 ms at rank 10,000).
 * SQLite stays the record; this is rebuilt from it on first use and kept in step by every write.
 */

/** A record's place in the order: smaller rank score first, then earlier, then by player id. */
export interface RankKey {
  readonly rankScore: number;
  readonly updatedAt: number;
  readonly playerId: string;
}

function compare(a: RankKey, b: RankKey): number {
  if (a.rankScore !== b.rankScore) return a.rankScore < b.rankScore ? -1 : 1;
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? -1 : 1;
  return compareText(a.playerId, b.playerId);
}

/**
 * SQLite's BINARY order of TEXT (UTF-8 bytes), which is code point order. JavaScript's `<` compares
 * UTF-16 units, which disagrees for characters above U+FFFF against U+E000-U+FFFF.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  for (let i = 0; ; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // the prefixes are equal, so both strings step over the same pair
  }
}

/** Sorted keys with O(log n) counting; writes are O(n) moves, which are rare next to reads. */
export class RankIndex {
  readonly #keys: RankKey[];

  /** From keys already in order (SQLite's `ORDER BY rank_score, updated_at, player_id`). */
  constructor(sorted: RankKey[]) {
    this.#keys = sorted;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** How many keys sort before `key`. */
  countBefore(key: RankKey): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.#keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: RankKey): void {
    this.#keys.splice(this.countBefore(key), 0, key);
  }

  /** Remove `key` if present. */
  remove(key: RankKey): void {
    const at = this.countBefore(key);
    const found = this.#keys[at];
    if (found && compare(found, key) === 0) this.#keys.splice(at, 1);
  }
}
