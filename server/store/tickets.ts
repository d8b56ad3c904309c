/**
 * Matchmaking tickets: a party waiting for a match in one mode and region. The matchmaking service
 * reads the queue, forms matches and moves tickets on; players read their ticket or watch it. With
 * several lobbies, a queue's matches are formed under a lease, and a match's tickets are claimed
 * at once and fenced by the lease's token, so no ticket is ever in two matches.
 * Async and value-based so an in-memory and a Redis implementation share one contract.
 */

/** `searching` is the only live state; the others are final. */
export const TICKET_STATUSES = ['searching', 'matched', 'expired', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** One member of a ticket's party. */
export interface TicketPlayer {
  readonly playerId: string;
  readonly name: string;
}

/**
 * Where a matched ticket's players play. Seat tokens are not stored: the lobby mints one each time
 * a player reads the matched ticket, so a token's short life starts when its player learns of it.
 */
export interface TicketMatch {
  readonly matchId: string;
  readonly roomId: string;
  readonly nodeId: string;
}

/** A ticket as the lobby creates it. */
export interface NewTicket {
  readonly ticketId: string;
  readonly mode: string;
  readonly region: string;
  /** The party, creator first. */
  readonly players: readonly TicketPlayer[];
  /** Skill rating; undefined fits any window. */
  readonly rating: number | undefined;
  readonly expiresAt: number;
}

/** A stored ticket. */
export interface TicketRecord extends NewTicket {
  readonly status: TicketStatus;
  readonly createdAt: number;
  /** Set when, and only when, the status is `matched`. */
  readonly match: TicketMatch | undefined;
}

/** A ticket leaving `searching`. */
export type TicketTransition =
  | { readonly status: 'matched'; readonly match: TicketMatch }
  | { readonly status: 'expired' | 'cancelled' };

/**
 * A matchmaking queue's lease as its holder got it. `token` is the fencing token: it grows each
 * time the lease changes hands, and a match claimed under it (`finish` with this lease) is refused
 * once another holder has taken the queue over, however late the claim arrives.
 */
export interface QueueLease {
  readonly queue: string;
  readonly token: number;
}

/** The tickets of every queue. */
export interface TicketStore {
  /**
   * Queue a ticket. Refused, with the player that blocks it, when any party member already holds
   * a searching ticket (a player has at most one live ticket); nothing is written then.
   */
  create(ticket: NewTicket): Promise<TicketRecord | { readonly conflict: string }>;
  get(ticketId: string): Promise<TicketRecord | undefined>;
  /** Every searching ticket, oldest first. */
  searching(): Promise<TicketRecord[]>;
  /**
   * Move searching tickets to a final state, all of them or none (a match claims its tickets at
   * once). Undefined when any one is not searching any more (cancelled, expired or matched
   * meanwhile): the caller lost the race, nothing changed, and it must not act on them.
   */
  finish(
    ticketIds: readonly string[],
    transition: TicketTransition,
    /** Claim under this lease: refused (undefined) when its token is no longer the queue's. */
    fence?: QueueLease,
  ): Promise<TicketRecord[] | undefined>;
  /**
   * Take, or renew, the lease on a matchmaking queue for `holder` until now + `ttlMs` (injected
   * clock): one lobby at a time forms a queue's matches. Undefined while another holder's lease
   * is valid; a holder renewing keeps its token, a new holder gets a greater one. `ttlMs` 0 gives
   * the lease up (when `holder` has it), so another lobby may take it at once.
   */
  lease(queue: string, holder: string, ttlMs: number): Promise<QueueLease | undefined>;
  /** Be told of every change to a ticket until the returned function is called. */
  watch(ticketId: string, listener: (ticket: TicketRecord) => void): () => void;
}
