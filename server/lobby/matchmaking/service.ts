/**
 * The matchmaking service: every pass it expires overdue tickets, groups the searching ones by mode
 * and region, lets the pure matcher form matches, and turns each match into a room on a game node
 * with a seat per player. One timer drives it in production; tests call `runPass()` with a clock.
 *
 * Any number of lobbies may run it on one store. A queue's matches are formed by the lobby holding
 * its lease (renewed every pass, so others skip the queue meanwhile), and a match's tickets are
 * claimed at once under the lease's fencing token: a lobby that stalled past its lease (a long GC,
 * a network pause) and wakes up after another took the queue over claims nothing. The claim is
 * all-or-none, so no ticket is ever in two matches and no match starts short of the tickets the
 * matcher gave it, even with leases out of the picture.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { QueueLease, TicketRecord, TicketStore } from '../../store/tickets.ts';
import { NoCapacityError } from '../errors.ts';
import type { LobbyModes } from '../modes.ts';
import type { Seating } from '../seating.ts';
import { formMatches, type QueuedTicket } from './matcher.ts';

export interface MatchmakingServiceOptions {
  readonly tickets: TicketStore;
  readonly seating: Seating;
  readonly modes: LobbyModes;
  readonly now: () => number;
  readonly log: Logger;
  /**
   * How long a queue stays this lobby's after a pass renewed its lease (default 3 s): what another
   * lobby waits to take over the queues of a lobby that died. Longer than a pass takes.
   */
  readonly leaseTtlMs?: number;
  /** Names this lobby as the holder of its leases (default: a random UUID). */
  readonly holder?: string;
}

/** Default lease on a queue, renewed every pass. */
export const DEFAULT_LEASE_TTL_MS = 3000;

/** What one pass did. */
export interface PassResult {
  readonly matches: number;
  readonly expired: number;
}

/** Forms matches from the ticket queues. */
export class MatchmakingService {
  readonly #options: MatchmakingServiceOptions;
  readonly #holder: string;
  readonly #leaseTtlMs: number;
  /** Queues whose lease this service took, to give back on stop(). */
  readonly #leased = new Set<string>();
  #running: Promise<PassResult> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MatchmakingServiceOptions) {
    this.#options = options;
    this.#holder = options.holder ?? randomUUID();
    this.#leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  /** Run a pass every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => {
      this.runPass().catch((err: unknown) => this.#options.log.error({ err }, 'matchmaking pass failed'));
    }, intervalMs);
    this.#timer.unref?.();
  }

  /** Stop the timer, wait for a pass under way and give up the leases so others take over at once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
    const queues = [...this.#leased];
    this.#leased.clear();
    await Promise.all(
      queues.map((queue) =>
        this.#options.tickets.lease(queue, this.#holder, 0).catch((err: unknown) => {
          this.#options.log.warn({ err, queue }, 'matchmaking: could not give up a queue lease');
        }),
      ),
    );
  }

  /** One pass over every queue; passes never overlap (a second call shares the running one). */
  runPass(): Promise<PassResult> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<PassResult> {
    const { tickets, modes, now: clock } = this.#options;
    const now = clock();
    let expired = 0;
    const queues = new Map<string, TicketRecord[]>();
    for (const ticket of await tickets.searching()) {
      if (ticket.expiresAt <= now) {
        if (await tickets.finish([ticket.ticketId], { status: 'expired' })) expired++;
        continue;
      }
      const key = `${ticket.mode}\u0000${ticket.region}`;
      const queue = queues.get(key);
      if (queue) queue.push(ticket);
      else queues.set(key, [ticket]);
    }
    let matches = 0;
    for (const [key, queue] of queues) {
      const mode = modes.get(queue[0]?.mode ?? '');
      if (!mode) continue;
      const lease = await tickets.lease(key, this.#holder, this.#leaseTtlMs);
      if (!lease) continue; // another lobby forms this queue's matches now
      this.#leased.add(key);
      const byId = new Map(queue.map((t) => [t.ticketId, t]));
      const formed = formMatches(queue.map(queued), mode.matchmaking, now).map((match) =>
        match.ticketIds.flatMap((id) => byId.get(id) ?? []),
      );
      let noCapacity = false;
      // A pass's matches share no ticket: they start side by side, so a store across the network
      // (Redis) costs the pass a round trip per step of a match, not per step of every match.
      await startAll(formed, MATCH_STARTS_IN_FLIGHT, async (members) => {
        if (noCapacity) return;
        try {
          if (await this.#start(mode.mode, members, lease)) matches++;
        } catch (error) {
          if (!(error instanceof NoCapacityError)) throw error;
          noCapacity = true;
        }
      });
      if (noCapacity) {
        // Those not started keep searching and the next pass tries again.
        this.#options.log.warn({ mode: mode.mode }, 'matchmaking: no game node can take a match');
        return { matches, expired };
      }
    }
    return { matches, expired };
  }

  /**
   * A room for the match with a seat held per player, then its tickets are claimed together under
   * the queue's lease. If one was cancelled meanwhile, or another lobby took the queue over, the
   * claim fails and nothing starts: the tickets keep searching, and the held seats lapse with their
   * tokens' lifetime. Seat tokens are minted when each player reads the matched ticket, not here.
   */
  async #start(mode: string, members: readonly TicketRecord[], lease: QueueLease): Promise<boolean> {
    const { seating, tickets, log } = this.#options;
    const players = members.flatMap((ticket) => ticket.players);
    // Exactly the match's size and no join code: nobody else can take a seat in a formed match.
    const room = await seating.createRoom(
      { mode, visibility: 'private', maxPlayers: players.length, metadata: {} },
      false,
    );
    await seating.holdAll(
      room.roomId,
      players.map((player) => player.playerId),
    );
    const match = { matchId: randomUUID(), roomId: room.roomId, nodeId: room.nodeId };
    const claimed = await tickets.finish(
      members.map((t) => t.ticketId),
      { status: 'matched', match },
      lease,
    );
    if (!claimed) {
      log.info(
        { matchId: match.matchId },
        'matchmaking: a ticket left, or the queue changed hands, before its match started',
      );
    }
    return claimed !== undefined;
  }
}

/** Matches of one pass being started at once, at most. */
const MATCH_STARTS_IN_FLIGHT = 32;

/**
 * Run `task` over `items`, at most `limit` at a time; waits for every task, then throws the first
 * error if any failed (so nothing is left running past the pass).
 */
async function startAll<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

function queued(ticket: TicketRecord): QueuedTicket {
  return {
    id: ticket.ticketId,
    size: ticket.players.length,
    rating: ticket.rating,
    enqueuedAt: ticket.createdAt,
  };
}
