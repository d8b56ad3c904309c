/**
 * Matchmaking tickets on Redis (scripts/includes/tickets.lua lists the keys). All tickets share one
 * hash tag: "a player holds at most one searching ticket" spans every queue (a player may queue in
 * any mode and region), so the live-player index and every queue must sit in one slot for `create`
 * to check and claim atomically; a match's `finish` claims tickets of one queue, inside that slot
 * too. Final tickets stay readable for `retainMs` by the injected clock, then are dropped.
 */
import type { NewTicket, QueueLease, TicketRecord, TicketStore, TicketTransition } from '../tickets.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisScripts, ScriptName } from './scripts.ts';
import type { TicketWatchers } from './ticket-watch.ts';

/** A ticket as `create` stored it. */
type StoredTicket = NewTicket & { readonly createdAt: number };
/** What `finish` stored: the transition. */
type StoredFinal = { readonly status: TicketRecord['status']; readonly match?: TicketRecord['match'] };

/** A ticket from its stored JSON and its final state ('' while searching). */
export function toTicket(ticket: string, final: string): TicketRecord {
  const stored = JSON.parse(ticket) as StoredTicket;
  const done = final === '' ? undefined : (JSON.parse(final) as StoredFinal);
  return {
    ...stored,
    // JSON has no undefined: a ticket without a rating comes back without the field.
    rating: stored.rating ?? undefined,
    status: done?.status ?? 'searching',
    match: done?.match ?? undefined,
  };
}

/** The TicketStore on Redis; `now` is the injected wall clock. */
export class RedisTickets implements TicketStore {
  readonly #scripts: RedisScripts;
  readonly #keys: RedisKeys;
  readonly #now: () => number;
  readonly #retainMs: number;
  readonly #origin: string;
  #watchers: TicketWatchers | undefined;

  constructor(options: {
    readonly scripts: RedisScripts;
    readonly keys: RedisKeys;
    readonly now: () => number;
    readonly retainMs: number;
    /** This store instance's id, carried by the changes it publishes. */
    readonly origin: string;
  }) {
    this.#scripts = options.scripts;
    this.#keys = options.keys;
    this.#now = options.now;
    this.#retainMs = options.retainMs;
    this.#origin = options.origin;
  }

  /** Attach the watchers (they read tickets through this store, so they come second). */
  listen(watchers: TicketWatchers): void {
    this.#watchers = watchers;
  }

  async create(ticket: NewTicket): Promise<TicketRecord | { readonly conflict: string }> {
    const createdAt = this.#now();
    const stored: StoredTicket = {
      ...ticket,
      players: ticket.players.map(({ playerId, name }) => ({ playerId, name })),
      createdAt,
    };
    const [result, conflict] = (await this.#run('create-ticket-7', [
      createdAt,
      ticket.ticketId,
      JSON.stringify(stored),
      ...stored.players.map((p) => p.playerId),
    ])) as [string, string?];
    if (result === 'conflict') return { conflict: conflict! };
    return { ...stored, status: 'searching', match: undefined };
  }

  async get(ticketId: string): Promise<TicketRecord | undefined> {
    const found = (await this.#run('get-ticket-7', [this.#now(), ticketId])) as [string, string] | null;
    return found === null ? undefined : toTicket(...found);
  }

  async searching(): Promise<TicketRecord[]> {
    const tickets = (await this.#run('searching-7', [])) as string[];
    return tickets.map((ticket) => toTicket(ticket, ''));
  }

  async finish(
    ticketIds: readonly string[],
    transition: TicketTransition,
    fence?: QueueLease,
  ): Promise<TicketRecord[] | undefined> {
    if (ticketIds.length === 0) return undefined;
    const now = this.#now();
    const final: StoredFinal =
      transition.status === 'matched'
        ? { status: 'matched', match: transition.match }
        : { status: transition.status };
    const json = JSON.stringify(final);
    const claimed = (await this.#scripts.run(
      'finish-tickets-8',
      [...this.#keys.tickets, this.#keys.leases],
      [
        now,
        now + this.#retainMs,
        json,
        this.#keys.ticketChanges,
        this.#origin,
        fence?.queue ?? '',
        fence?.token ?? '',
        ...ticketIds,
      ],
    )) as string[] | null;
    if (claimed === null) return undefined;
    const done = claimed.map((ticket) => toTicket(ticket, json));
    // Stryker disable next-line OptionalChaining: equivalent, openRedisStore attaches the watchers before any use
    this.#watchers?.deliver(done);
    return done;
  }

  async lease(queue: string, holder: string, ttlMs: number): Promise<QueueLease | undefined> {
    const now = this.#now();
    const until = ttlMs > 0 ? Math.ceil(now + ttlMs) : 0;
    const token = (await this.#scripts.run(
      'lease-queue-1',
      [this.#keys.leases],
      [now, queue, holder, until],
    )) as number | null;
    return token === null ? undefined : { queue, token };
  }

  watch(ticketId: string, listener: (ticket: TicketRecord) => void): () => void {
    // Stryker disable next-line ConditionalExpression,StringLiteral,CallExpression: unreachable guard, openRedisStore attaches the watchers
    if (!this.#watchers) throw new Error('ticket watchers are not attached');
    return this.#watchers.watch(ticketId, listener);
  }

  /** Ticket scripts all declare the same seven keys. */
  #run(name: ScriptName, args: readonly (string | number)[]): Promise<unknown> {
    return this.#scripts.run(name, this.#keys.tickets, args);
  }
}
