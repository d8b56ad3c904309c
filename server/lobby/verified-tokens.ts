/**
 * Access tokens already verified, with their player and expiry: a player's every request carries
 * the same token, so its signature is checked once and afterwards only its expiry, against the
 * caller's clock. Bounded: at `capacity` the least recently used tokens (an eighth of them) are
 * forgotten (and checked in full again if they come back). Nothing here outlives a token's `exp`,
 * and a player who no longer exists is refused by the player lookup that follows every
 * verification.
 */
/** Once full, the least recently used 1/EVICTED_SHARE of the entries are forgotten together. */
const EVICTED_SHARE = 8;

export class VerifiedTokens {
  readonly #capacity: number;
  /** Map order is use order: the first entry is the least recently used. */
  readonly #entries = new Map<string, { readonly playerId: string; readonly expiresAtMs: number }>();

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new Error('capacity must be at least 1');
    this.#capacity = capacity;
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The player of a remembered token that is still valid at `nowMs`; null for a remembered token
   * past its expiry (forgotten now); undefined for a token not remembered.
   */
  lookup(token: string, nowMs: number): string | null | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (entry.expiresAtMs <= nowMs) return null;
    this.#entries.set(token, entry);
    return entry.playerId;
  }

  /** Remember a token just verified, valid until `expiresAtMs` (exclusive). */
  remember(token: string, playerId: string, expiresAtMs: number): void {
    this.#entries.delete(token);
    if (this.#entries.size >= this.#capacity) this.#forgetOldest();
    this.#entries.set(token, { playerId, expiresAtMs });
  }

  /**
   * Forget the least recently used eighth (at least one). One at a time cost microseconds each
   * once full: V8's Map leaves a deleted entry as a hole until it next rehashes, and finding the
   * first live key walks over every hole left in front of it, thousands between rehashes. One walk
   * per batch pays that once for many.
   */
  #forgetOldest(): void {
    let n = Math.max(1, Math.floor(this.#capacity / EVICTED_SHARE));
    for (const token of this.#entries.keys()) {
      this.#entries.delete(token);
      if (--n === 0) break;
    }
  }
}
