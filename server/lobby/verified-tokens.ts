/**
 * Access tokens already verified, with their player and expiry: a player's every request carries
 * the same token, so its signature is checked once and afterwards only its expiry, against the
 * caller's clock. Bounded: past `capacity` the least recently used token is forgotten (and checked
 * in full again if it comes back). Nothing here outlives a token's `exp`, and a player who no longer
 * exists is refused by the player lookup that follows every verification.
 */
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
    if (this.#entries.size >= this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    this.#entries.set(token, { playerId, expiresAtMs });
  }
}
