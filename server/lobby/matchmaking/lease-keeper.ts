/**
 * Keeps a matchmaking queue's lease for the length of a pass. A pass renews its lease when it
 * starts; one that takes longer than the lease (thousands of matches, a slow store) would let
 * another lobby take the queue over halfway, and its later claims would be refused under the
 * fence. So before each match start the pass calls `keep()`, which renews the lease once a third of
 * its TTL has gone by since the last renewal (one renewal shared by the matches starting together)
 * and says whether the queue is still this pass's: same holder, same fencing token.
 */
import type { QueueLease, TicketStore } from '../../store/tickets.ts';

export class LeaseKeeper {
  readonly #tickets: TicketStore;
  readonly #lease: QueueLease;
  readonly #holder: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #renewedAt: number;
  #renewing: Promise<boolean> | undefined;
  #lost = false;

  constructor(options: {
    readonly tickets: TicketStore;
    /** The lease as the pass took it, at `now()`. */
    readonly lease: QueueLease;
    readonly holder: string;
    readonly ttlMs: number;
    readonly now: () => number;
  }) {
    this.#tickets = options.tickets;
    this.#lease = options.lease;
    this.#holder = options.holder;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now;
    this.#renewedAt = options.now();
  }

  /** True while the queue is still held under the pass's token (renewing it when due). */
  async keep(): Promise<boolean> {
    if (this.#lost) return false;
    if (this.#now() - this.#renewedAt < this.#ttlMs / 3) return true;
    this.#renewing ??= this.#renew().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renew(): Promise<boolean> {
    const at = this.#now();
    const renewed = await this.#tickets.lease(this.#lease.queue, this.#holder, this.#ttlMs);
    // Another holder has it, or had it since (a new token): the pass's view of the queue is stale.
    if (renewed?.token !== this.#lease.token) this.#lost = true;
    else this.#renewedAt = at;
    return !this.#lost;
  }
}
