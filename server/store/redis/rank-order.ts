/**
 * The leaderboard sort key as bytes. A ranking sorted set holds every member at score 0, so Redis
 * orders members by their bytes alone; a member is `scoreKey(rankScore) + timeKey(updatedAt) +
 * playerId`, which sorts exactly as the embedded store's (rank score, updated at, player id): no
 * double is rounded, any finite score and any safe-integer time included, and ties go to the earlier
 * achievement, then to the smaller player id in UTF-8 byte order (SQLite's BINARY order). ZRANK,
 * ZLEXCOUNT and ZRANGE BYLEX then give ranks, cursor positions and pages in O(log n).
 * scripts/includes/records.lua computes `scoreKey` in Lua the same way (rank-order.test.ts checks
 * that the two agree).
 */

/** Hex digits of each key; a member's player id starts after two keys. */
export const KEY_DIGITS = 16;
export const MEMBER_PREFIX_LENGTH = 2 * KEY_DIGITS;

const view = new DataView(new ArrayBuffer(8));
const SIGN = 0x8000_0000;
const TIME_BIAS = 1n << 63n;

/**
 * 16 hex digits ordered as the finite doubles they encode: the IEEE 754 bits, big-endian, with the
 * sign bit flipped for positives and every bit flipped for negatives. -0 is folded into 0 first.
 */
export function scoreKey(score: number): string {
  view.setFloat64(0, score + 0);
  let high = view.getUint32(0);
  let low = view.getUint32(4);
  if (high & SIGN) {
    high = ~high >>> 0;
    low = ~low >>> 0;
  } else {
    high = (high | SIGN) >>> 0;
  }
  return hex8(high) + hex8(low);
}

/** 16 hex digits ordered as the integer milliseconds they encode (two's complement, sign bit flipped). */
export function timeKey(ms: number): string {
  return (BigInt.asUintN(64, BigInt(ms)) ^ TIME_BIAS).toString(16).padStart(KEY_DIGITS, '0');
}

/** The milliseconds of a `timeKey`. */
export function timeFromKey(key: string): number {
  return Number(BigInt.asIntN(64, BigInt(`0x${key}`) ^ TIME_BIAS));
}

/** The sorted-set member of a record. */
export function rankingMember(rankScore: number, updatedAt: number, playerId: string): string {
  return scoreKey(rankScore) + timeKey(updatedAt) + playerId;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
