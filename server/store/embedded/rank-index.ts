/**
 * One board period's records, held sorted in memory: a rank is a binary search and a page or a
 * window around a player is a slice, where SQLite spent ~60 us a read and counted every index entry
 * above the player to rank it (1-2 ms at rank 10,000). SQLite stays the record: an index is rebuilt
 * from it on first use and kept in step after every committed write. About 150 bytes a record.
 */

/** A record in ranking order: smaller rank score first, then earlier, then by player id. */
export interface RankedRow {
  readonly rankScore: number;
  readonly updatedAt: number;
  readonly playerId: string;
  readonly name: string;
  readonly score: number;
}

/** The part of a row that decides its place. */
export type RankKey = Pick<RankedRow, 'rankScore' | 'updatedAt' | 'playerId'>;

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

/** Sorted rows with O(log n) positions; a write moves O(n) references, and writes are rare. */
export class RankIndex {
  readonly #rows: RankedRow[];
  readonly #byPlayer = new Map<string, RankedRow>();

  /** From rows already in order (SQLite's `ORDER BY rank_score, updated_at, player_id`). */
  constructor(sorted: RankedRow[]) {
    this.#rows = sorted;
    for (const row of sorted) this.#byPlayer.set(row.playerId, row);
  }

  get size(): number {
    return this.#rows.length;
  }

  /** The player's row, if any. */
  get(playerId: string): RankedRow | undefined {
    return this.#byPlayer.get(playerId);
  }

  /** How many rows sort before `key`: the 0-based position of `key`, present or not. */
  countBefore(key: RankKey): number {
    let lo = 0;
    let hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.#rows[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The position just after `key` (after the row equal to it, when there is one). */
  countUpTo(key: RankKey): number {
    const at = this.countBefore(key);
    const row = this.#rows[at];
    return row && compare(row, key) === 0 ? at + 1 : at;
  }

  /** Rows from position `start` (inclusive) to `end` (exclusive). */
  slice(start: number, end: number): RankedRow[] {
    return this.#rows.slice(Math.max(0, start), end);
  }

  /** Put the player's new row in place of their old one. */
  upsert(row: RankedRow): void {
    const old = this.#byPlayer.get(row.playerId);
    if (old) this.#rows.splice(this.countBefore(old), 1);
    this.#rows.splice(this.countBefore(row), 0, row);
    this.#byPlayer.set(row.playerId, row);
  }
}
