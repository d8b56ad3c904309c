/**
 * Access tokens already verified, with their player and expiry: a player's every request carries
 * the same token, so its signature is checked once and afterwards only its expiry, against the
 * caller's clock. Bounded: at `capacity` the least recently used tokens (an eighth of them) are
 * forgotten (and checked in full again if they come back). Nothing here outlives a token's `exp`,
 * and a player who no longer exists is refused by the player lookup that follows every
 * verification.
 */
import { LruMap } from '../lru.ts';

export class VerifiedTokens {
  readonly #entries: LruMap<string, { readonly playerId: string; readonly expiresAtMs: number }>;

  constructor(capacity: number) {
    this.#entries = new LruMap(capacity);
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
    if (entry.expiresAtMs <= nowMs) {
      this.#entries.delete(token);
      return null;
    }
    return entry.playerId;
  }

  /** Remember a token just verified, valid until `expiresAtMs` (exclusive). */
  remember(token: string, playerId: string, expiresAtMs: number): void {
    this.#entries.set(token, { playerId, expiresAtMs });
  }
}
