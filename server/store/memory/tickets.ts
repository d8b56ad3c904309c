/**
 * Matchmaking tickets in process memory. Final tickets are kept for `retainMs` so their players
 * can still read the outcome, then dropped, so the map cannot grow without bound.
 */
import type { NewTicket, QueueLease, TicketRecord, TicketStore, TicketTransition } from '../tickets.ts';

/** How long a final ticket stays readable by default. */
export const DEFAULT_TICKET_RETAIN_MS = 5 * 60_000;

/** Dropped entries at the front of the finished list before it is shortened. */
const COMPACT_AFTER = 1024;

/** A TicketStore in Maps; `now` is the injected wall clock. */
export class MemoryTicketStore implements TicketStore {
  readonly #now: () => number;
  readonly #retainMs: number;
  readonly #tickets = new Map<string, TicketRecord>();
  /**
   * The searching tickets, in the order they were created: what a matchmaking pass reads several
   * times a second, kept apart so it never steps over the final tickets still retained (at a
   * steady rate of matches, many times more than those waiting).
   */
  readonly #searching = new Map<string, TicketRecord>();
  /** Searching ticket id per player. */
  readonly #live = new Map<string, string>();
  /** Final tickets in the order they finished, with when they may be dropped. */
  #finished: { ticketId: string; dropAt: number }[] = [];
  /**
   * How many at the front of #finished are dropped already. Taking them out one splice at a time
   * moved every retained entry on each call: with 300,000 final tickets retained (5 minutes of
   * 1,000 matched a second) that was 450-600 us on every ticket created.
   */
  #dropped = 0;
  readonly #watchers = new Map<string, Set<(ticket: TicketRecord) => void>>();
  /** Matchmaking leases by queue; kept when given up, so tokens only grow. */
  readonly #leases = new Map<string, { holder: string; token: number; until: number }>();

  constructor(now: () => number, retainMs = DEFAULT_TICKET_RETAIN_MS) {
    this.#now = now;
    this.#retainMs = retainMs;
  }

  async create(ticket: NewTicket): Promise<TicketRecord | { readonly conflict: string }> {
    this.#dropOld();
    for (const { playerId } of ticket.players) {
      if (this.#live.has(playerId)) return { conflict: playerId };
    }
    const record: TicketRecord = {
      ...ticket,
      players: ticket.players.map((p) => ({ ...p })),
      status: 'searching',
      createdAt: this.#now(),
      match: undefined,
    };
    this.#tickets.set(record.ticketId, record);
    this.#searching.set(record.ticketId, record);
    for (const { playerId } of record.players) this.#live.set(playerId, record.ticketId);
    return record;
  }

  async get(ticketId: string): Promise<TicketRecord | undefined> {
    return this.#tickets.get(ticketId);
  }

  async searching(): Promise<TicketRecord[]> {
    this.#dropOld();
    // Map order is insertion order, and tickets are only inserted when created: oldest first.
    return [...this.#searching.values()];
  }

  async finish(
    ticketIds: readonly string[],
    transition: TicketTransition,
    fence?: QueueLease,
  ): Promise<TicketRecord[] | undefined> {
    if (fence && this.#leases.get(fence.queue)?.token !== fence.token) return undefined;
    const tickets = ticketIds.map((id) => this.#tickets.get(id));
    if (tickets.length === 0 || !tickets.every((t) => t?.status === 'searching')) return undefined;
    const done = (tickets as TicketRecord[]).map((ticket) => this.#finish(ticket, transition));
    for (const ticket of done) {
      for (const listener of [...(this.#watchers.get(ticket.ticketId) ?? [])]) listener(ticket);
    }
    return done;
  }

  #finish(ticket: TicketRecord, transition: TicketTransition): TicketRecord {
    const done: TicketRecord = {
      ...ticket,
      status: transition.status,
      match: transition.status === 'matched' ? transition.match : undefined,
    };
    this.#tickets.set(ticket.ticketId, done);
    this.#searching.delete(ticket.ticketId);
    for (const { playerId } of done.players) {
      if (this.#live.get(playerId) === ticket.ticketId) this.#live.delete(playerId);
    }
    this.#finished.push({ ticketId: ticket.ticketId, dropAt: this.#now() + this.#retainMs });
    return done;
  }

  async lease(queue: string, holder: string, ttlMs: number): Promise<QueueLease | undefined> {
    const now = this.#now();
    const held = this.#leases.get(queue) ?? { holder: '', token: 0, until: 0 };
    if (held.holder !== holder && held.until > now) return undefined;
    if (ttlMs <= 0) {
      if (held.holder === holder) this.#leases.set(queue, { ...held, until: 0 });
      return undefined;
    }
    const token = held.holder === holder ? held.token : held.token + 1;
    this.#leases.set(queue, { holder, token, until: now + ttlMs });
    return { queue, token };
  }

  watch(ticketId: string, listener: (ticket: TicketRecord) => void): () => void {
    let listeners = this.#watchers.get(ticketId);
    if (!listeners) {
      listeners = new Set();
      this.#watchers.set(ticketId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#watchers.get(ticketId) === listeners) this.#watchers.delete(ticketId);
    };
  }

  #dropOld(): void {
    const now = this.#now();
    const finished = this.#finished;
    let n = this.#dropped;
    while (n < finished.length && (finished[n]?.dropAt ?? Infinity) <= now) {
      this.#tickets.delete(finished[n]?.ticketId ?? '');
      n++;
    }
    // The array is shortened once the dropped front outweighs the rest: amortized O(1) per ticket.
    if (n > COMPACT_AFTER && n * 2 > finished.length) {
      this.#finished = finished.slice(n);
      n = 0;
    }
    this.#dropped = n;
  }
}
